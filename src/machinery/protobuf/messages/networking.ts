/**
 * @module Field tables for networking/v1, written by tools/gen-tables.ts (v0.32.4); see ../table.ts.
 */
import type { MessageTable } from '../table.ts';

export const networkingMessages: MessageTable = {
  'networking.v1.HTTPIngressPath': {
    1: ['path', 'string', 'o'], 3: ['pathType', 'string'], 2: ['backend', 'networking.v1.IngressBackend'],
  },
  'networking.v1.HTTPIngressRuleValue': {
    1: ['paths', 'networking.v1.HTTPIngressPath', 'r'],
  },
  'networking.v1.Ingress': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'networking.v1.IngressSpec', 'o'],
    3: ['status', 'networking.v1.IngressStatus', 'o'],
  },
  'networking.v1.IngressBackend': {
    4: ['service', 'networking.v1.IngressServiceBackend'],
    3: ['resource', 'core.v1.TypedLocalObjectReference'],
  },
  'networking.v1.IngressLoadBalancerIngress': {
    1: ['ip', 'string', 'o'], 2: ['hostname', 'string', 'o'],
    4: ['ports', 'networking.v1.IngressPortStatus', 'r'],
  },
  'networking.v1.IngressLoadBalancerStatus': {
    1: ['ingress', 'networking.v1.IngressLoadBalancerIngress', 'r'],
  },
  'networking.v1.IngressPortStatus': {
    1: ['port', 'int32'], 2: ['protocol', 'string'], 3: ['error', 'string'],
  },
  'networking.v1.IngressRule': {
    1: ['host', 'string', 'o'], 2: ['ingressRuleValue', 'networking.v1.IngressRuleValue', 'i'],
  },
  'networking.v1.IngressRuleValue': {
    1: ['http', 'networking.v1.HTTPIngressRuleValue'],
  },
  'networking.v1.IngressServiceBackend': {
    1: ['name', 'string'], 2: ['port', 'networking.v1.ServiceBackendPort', 'o'],
  },
  'networking.v1.IngressSpec': {
    4: ['ingressClassName', 'string'], 1: ['defaultBackend', 'networking.v1.IngressBackend'],
    2: ['tls', 'networking.v1.IngressTLS', 'r'], 3: ['rules', 'networking.v1.IngressRule', 'r'],
  },
  'networking.v1.IngressStatus': {
    1: ['loadBalancer', 'networking.v1.IngressLoadBalancerStatus', 'o'],
  },
  'networking.v1.IngressTLS': {
    1: ['hosts', 'string', 'r'], 2: ['secretName', 'string', 'o'],
  },
  'networking.v1.ServiceBackendPort': {
    1: ['name', 'string', 'o'], 2: ['number', 'int32', 'o'],
  },
};
