/**
 * @module Field tables for core/v1 other kinds, written by tools/gen-tables.ts (v0.32.4); see ../table.ts.
 */
import type { MessageTable } from '../table.ts';

export const coreMessages: MessageTable = {
  'core.v1.ClientIPConfig': {
    1: ['timeoutSeconds', 'int32'],
  },
  'core.v1.ConfigMap': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 4: ['immutable', 'bool'], 2: ['data', 'map<string,string>'],
    3: ['binaryData', 'map<string,bytes>'],
  },
  'core.v1.LoadBalancerIngress': {
    1: ['ip', 'string', 'o'], 2: ['hostname', 'string', 'o'], 3: ['ipMode', 'string'],
    4: ['ports', 'core.v1.PortStatus', 'r'],
  },
  'core.v1.LoadBalancerStatus': {
    1: ['ingress', 'core.v1.LoadBalancerIngress', 'r'],
  },
  'core.v1.Namespace': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'core.v1.NamespaceSpec', 'o'],
    3: ['status', 'core.v1.NamespaceStatus', 'o'],
  },
  'core.v1.NamespaceCondition': {
    1: ['type', 'string'], 2: ['status', 'string'], 4: ['lastTransitionTime', 'Time', 'o'],
    5: ['reason', 'string', 'o'], 6: ['message', 'string', 'o'],
  },
  'core.v1.NamespaceSpec': {
    1: ['finalizers', 'string', 'r'],
  },
  'core.v1.NamespaceStatus': {
    1: ['phase', 'string', 'o'], 2: ['conditions', 'core.v1.NamespaceCondition', 'r'],
  },
  'core.v1.ObjectReference': {
    1: ['kind', 'string', 'o'], 2: ['namespace', 'string', 'o'], 3: ['name', 'string', 'o'],
    4: ['uid', 'string', 'o'], 5: ['apiVersion', 'string', 'o'], 6: ['resourceVersion', 'string', 'o'],
    7: ['fieldPath', 'string', 'o'],
  },
  'core.v1.PortStatus': {
    1: ['port', 'int32'], 2: ['protocol', 'string'], 3: ['error', 'string'],
  },
  'core.v1.ResourceQuota': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'core.v1.ResourceQuotaSpec', 'o'],
    3: ['status', 'core.v1.ResourceQuotaStatus', 'o'],
  },
  'core.v1.ResourceQuotaSpec': {
    1: ['hard', 'map<string,Quantity>', 'o'], 2: ['scopes', 'string', 'r'],
    3: ['scopeSelector', 'core.v1.ScopeSelector'],
  },
  'core.v1.ResourceQuotaStatus': {
    1: ['hard', 'map<string,Quantity>', 'o'], 2: ['used', 'map<string,Quantity>', 'o'],
  },
  'core.v1.ScopeSelector': {
    1: ['matchExpressions', 'core.v1.ScopedResourceSelectorRequirement', 'r'],
  },
  'core.v1.ScopedResourceSelectorRequirement': {
    1: ['scopeName', 'string'], 2: ['operator', 'string'], 3: ['values', 'string', 'r'],
  },
  'core.v1.Secret': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 5: ['immutable', 'bool'], 2: ['data', 'map<string,bytes>'],
    4: ['stringData', 'map<string,string>'], 3: ['type', 'string', 'o'],
  },
  'core.v1.Service': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'core.v1.ServiceSpec', 'o'],
    3: ['status', 'core.v1.ServiceStatus', 'o'],
  },
  'core.v1.ServiceAccount': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['secrets', 'core.v1.ObjectReference', 'r'],
    3: ['imagePullSecrets', 'core.v1.LocalObjectReference', 'r'], 4: ['automountServiceAccountToken', 'bool'],
  },
  'core.v1.ServicePort': {
    1: ['name', 'string', 'o'], 2: ['protocol', 'string', 'o'], 6: ['appProtocol', 'string'],
    3: ['port', 'int32'], 4: ['targetPort', 'IntOrString', 'o'], 5: ['nodePort', 'int32', 'o'],
  },
  'core.v1.ServiceSpec': {
    1: ['ports', 'core.v1.ServicePort', 'r'], 2: ['selector', 'map<string,string>'],
    3: ['clusterIP', 'string', 'o'], 18: ['clusterIPs', 'string', 'r'], 4: ['type', 'string', 'o'],
    5: ['externalIPs', 'string', 'r'], 7: ['sessionAffinity', 'string', 'o'],
    8: ['loadBalancerIP', 'string', 'o'], 9: ['loadBalancerSourceRanges', 'string', 'r'],
    10: ['externalName', 'string', 'o'], 11: ['externalTrafficPolicy', 'string', 'o'],
    12: ['healthCheckNodePort', 'int32', 'o'], 13: ['publishNotReadyAddresses', 'bool', 'o'],
    14: ['sessionAffinityConfig', 'core.v1.SessionAffinityConfig'], 19: ['ipFamilies', 'string', 'r'],
    17: ['ipFamilyPolicy', 'string'], 20: ['allocateLoadBalancerNodePorts', 'bool'],
    21: ['loadBalancerClass', 'string'], 22: ['internalTrafficPolicy', 'string'],
    23: ['trafficDistribution', 'string'],
  },
  'core.v1.ServiceStatus': {
    1: ['loadBalancer', 'core.v1.LoadBalancerStatus', 'o'], 2: ['conditions', 'meta.v1.Condition', 'r'],
  },
  'core.v1.SessionAffinityConfig': {
    1: ['clientIP', 'core.v1.ClientIPConfig'],
  },
};
