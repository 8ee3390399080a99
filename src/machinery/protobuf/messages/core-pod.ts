/**
 * @module Field tables for core/v1 pod spec and status, written by tools/gen-tables.ts (v0.32.4); see ../table.ts.
 */
import type { MessageTable } from '../table.ts';

export const corePodMessages: MessageTable = {
  'core.v1.Affinity': {
    1: ['nodeAffinity', 'core.v1.NodeAffinity'], 2: ['podAffinity', 'core.v1.PodAffinity'],
    3: ['podAntiAffinity', 'core.v1.PodAntiAffinity'],
  },
  'core.v1.ContainerState': {
    1: ['waiting', 'core.v1.ContainerStateWaiting'], 2: ['running', 'core.v1.ContainerStateRunning'],
    3: ['terminated', 'core.v1.ContainerStateTerminated'],
  },
  'core.v1.ContainerStateRunning': {
    1: ['startedAt', 'Time', 'o'],
  },
  'core.v1.ContainerStateTerminated': {
    1: ['exitCode', 'int32'], 2: ['signal', 'int32', 'o'], 3: ['reason', 'string', 'o'],
    4: ['message', 'string', 'o'], 5: ['startedAt', 'Time', 'o'], 6: ['finishedAt', 'Time', 'o'],
    7: ['containerID', 'string', 'o'],
  },
  'core.v1.ContainerStateWaiting': {
    1: ['reason', 'string', 'o'], 2: ['message', 'string', 'o'],
  },
  'core.v1.ContainerStatus': {
    1: ['name', 'string'], 2: ['state', 'core.v1.ContainerState', 'o'],
    3: ['lastState', 'core.v1.ContainerState', 'o'], 4: ['ready', 'bool'], 5: ['restartCount', 'int32'],
    6: ['image', 'string'], 7: ['imageID', 'string'], 8: ['containerID', 'string', 'o'],
    9: ['started', 'bool'], 10: ['allocatedResources', 'map<string,Quantity>', 'o'],
    11: ['resources', 'core.v1.ResourceRequirements'], 12: ['volumeMounts', 'core.v1.VolumeMountStatus', 'r'],
    13: ['user', 'core.v1.ContainerUser'], 14: ['allocatedResourcesStatus', 'core.v1.ResourceStatus', 'r'],
  },
  'core.v1.ContainerUser': {
    1: ['linux', 'core.v1.LinuxContainerUser'],
  },
  'core.v1.HostAlias': {
    1: ['ip', 'string'], 2: ['hostnames', 'string', 'r'],
  },
  'core.v1.HostIP': {
    1: ['ip', 'string'],
  },
  'core.v1.LinuxContainerUser': {
    1: ['uid', 'int64'], 2: ['gid', 'int64'], 3: ['supplementalGroups', 'int64', 'r'],
  },
  'core.v1.NodeAffinity': {
    1: ['requiredDuringSchedulingIgnoredDuringExecution', 'core.v1.NodeSelector'],
    2: ['preferredDuringSchedulingIgnoredDuringExecution', 'core.v1.PreferredSchedulingTerm', 'r'],
  },
  'core.v1.NodeSelector': {
    1: ['nodeSelectorTerms', 'core.v1.NodeSelectorTerm', 'r'],
  },
  'core.v1.NodeSelectorRequirement': {
    1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'string', 'r'],
  },
  'core.v1.NodeSelectorTerm': {
    1: ['matchExpressions', 'core.v1.NodeSelectorRequirement', 'r'],
    2: ['matchFields', 'core.v1.NodeSelectorRequirement', 'r'],
  },
  'core.v1.Pod': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'core.v1.PodSpec', 'o'],
    3: ['status', 'core.v1.PodStatus', 'o'],
  },
  'core.v1.PodAffinity': {
    1: ['requiredDuringSchedulingIgnoredDuringExecution', 'core.v1.PodAffinityTerm', 'r'],
    2: ['preferredDuringSchedulingIgnoredDuringExecution', 'core.v1.WeightedPodAffinityTerm', 'r'],
  },
  'core.v1.PodAffinityTerm': {
    1: ['labelSelector', 'meta.v1.LabelSelector'], 2: ['namespaces', 'string', 'r'],
    3: ['topologyKey', 'string'], 4: ['namespaceSelector', 'meta.v1.LabelSelector'],
    5: ['matchLabelKeys', 'string', 'r'], 6: ['mismatchLabelKeys', 'string', 'r'],
  },
  'core.v1.PodAntiAffinity': {
    1: ['requiredDuringSchedulingIgnoredDuringExecution', 'core.v1.PodAffinityTerm', 'r'],
    2: ['preferredDuringSchedulingIgnoredDuringExecution', 'core.v1.WeightedPodAffinityTerm', 'r'],
  },
  'core.v1.PodCondition': {
    1: ['type', 'string'], 2: ['status', 'string'], 3: ['lastProbeTime', 'Time', 'o'],
    4: ['lastTransitionTime', 'Time', 'o'], 5: ['reason', 'string', 'o'], 6: ['message', 'string', 'o'],
  },
  'core.v1.PodDNSConfig': {
    1: ['nameservers', 'string', 'r'], 2: ['searches', 'string', 'r'],
    3: ['options', 'core.v1.PodDNSConfigOption', 'r'],
  },
  'core.v1.PodDNSConfigOption': {
    1: ['name', 'string', 'o'], 2: ['value', 'string'],
  },
  'core.v1.PodIP': {
    1: ['ip', 'string'],
  },
  'core.v1.PodOS': {
    1: ['name', 'string'],
  },
  'core.v1.PodReadinessGate': {
    1: ['conditionType', 'string'],
  },
  'core.v1.PodResourceClaim': {
    1: ['name', 'string'], 3: ['resourceClaimName', 'string'], 4: ['resourceClaimTemplateName', 'string'],
  },
  'core.v1.PodResourceClaimStatus': {
    1: ['name', 'string'], 2: ['resourceClaimName', 'string'],
  },
  'core.v1.PodSchedulingGate': {
    1: ['name', 'string'],
  },
  'core.v1.PodSecurityContext': {
    1: ['seLinuxOptions', 'core.v1.SELinuxOptions'],
    8: ['windowsOptions', 'core.v1.WindowsSecurityContextOptions'], 2: ['runAsUser', 'int64'],
    6: ['runAsGroup', 'int64'], 3: ['runAsNonRoot', 'bool'], 4: ['supplementalGroups', 'int64', 'r'],
    12: ['supplementalGroupsPolicy', 'string'], 5: ['fsGroup', 'int64'],
    7: ['sysctls', 'core.v1.Sysctl', 'r'], 9: ['fsGroupChangePolicy', 'string'],
    10: ['seccompProfile', 'core.v1.SeccompProfile'], 11: ['appArmorProfile', 'core.v1.AppArmorProfile'],
    13: ['seLinuxChangePolicy', 'string'],
  },
  'core.v1.PodSpec': {
    1: ['volumes', 'core.v1.Volume', 'r'], 20: ['initContainers', 'core.v1.Container', 'r'],
    2: ['containers', 'core.v1.Container', 'r'],
    34: ['ephemeralContainers', 'core.v1.EphemeralContainer', 'r'], 3: ['restartPolicy', 'string', 'o'],
    4: ['terminationGracePeriodSeconds', 'int64'], 5: ['activeDeadlineSeconds', 'int64'],
    6: ['dnsPolicy', 'string', 'o'], 7: ['nodeSelector', 'map<string,string>'],
    8: ['serviceAccountName', 'string', 'o'], 9: ['serviceAccount', 'string', 'o'],
    21: ['automountServiceAccountToken', 'bool'], 10: ['nodeName', 'string', 'o'],
    11: ['hostNetwork', 'bool', 'o'], 12: ['hostPID', 'bool', 'o'], 13: ['hostIPC', 'bool', 'o'],
    27: ['shareProcessNamespace', 'bool'], 14: ['securityContext', 'core.v1.PodSecurityContext'],
    15: ['imagePullSecrets', 'core.v1.LocalObjectReference', 'r'], 16: ['hostname', 'string', 'o'],
    17: ['subdomain', 'string', 'o'], 18: ['affinity', 'core.v1.Affinity'],
    19: ['schedulerName', 'string', 'o'], 22: ['tolerations', 'core.v1.Toleration', 'r'],
    23: ['hostAliases', 'core.v1.HostAlias', 'r'], 24: ['priorityClassName', 'string', 'o'],
    25: ['priority', 'int32'], 26: ['dnsConfig', 'core.v1.PodDNSConfig'],
    28: ['readinessGates', 'core.v1.PodReadinessGate', 'r'], 29: ['runtimeClassName', 'string'],
    30: ['enableServiceLinks', 'bool'], 31: ['preemptionPolicy', 'string'],
    32: ['overhead', 'map<string,Quantity>', 'o'],
    33: ['topologySpreadConstraints', 'core.v1.TopologySpreadConstraint', 'r'],
    35: ['setHostnameAsFQDN', 'bool'], 36: ['os', 'core.v1.PodOS'], 37: ['hostUsers', 'bool'],
    38: ['schedulingGates', 'core.v1.PodSchedulingGate', 'r'],
    39: ['resourceClaims', 'core.v1.PodResourceClaim', 'r'],
    40: ['resources', 'core.v1.ResourceRequirements'],
  },
  'core.v1.PodStatus': {
    1: ['phase', 'string', 'o'], 2: ['conditions', 'core.v1.PodCondition', 'r'],
    3: ['message', 'string', 'o'], 4: ['reason', 'string', 'o'], 11: ['nominatedNodeName', 'string', 'o'],
    5: ['hostIP', 'string', 'o'], 16: ['hostIPs', 'core.v1.HostIP', 'r'], 6: ['podIP', 'string', 'o'],
    12: ['podIPs', 'core.v1.PodIP', 'r'], 7: ['startTime', 'Time'],
    10: ['initContainerStatuses', 'core.v1.ContainerStatus', 'r'],
    8: ['containerStatuses', 'core.v1.ContainerStatus', 'r'], 9: ['qosClass', 'string', 'o'],
    13: ['ephemeralContainerStatuses', 'core.v1.ContainerStatus', 'r'], 14: ['resize', 'string', 'o'],
    15: ['resourceClaimStatuses', 'core.v1.PodResourceClaimStatus', 'r'],
  },
  'core.v1.PodTemplateSpec': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'core.v1.PodSpec', 'o'],
  },
  'core.v1.PreferredSchedulingTerm': {
    1: ['weight', 'int32'], 2: ['preference', 'core.v1.NodeSelectorTerm'],
  },
  'core.v1.ResourceHealth': {
    1: ['resourceID', 'string'], 2: ['health', 'string', 'o'],
  },
  'core.v1.ResourceStatus': {
    1: ['name', 'string'], 2: ['resources', 'core.v1.ResourceHealth', 'r'],
  },
  'core.v1.Sysctl': {
    1: ['name', 'string'], 2: ['value', 'string'],
  },
  'core.v1.Toleration': {
    1: ['key', 'string', 'o'], 2: ['operator', 'string', 'o'], 3: ['value', 'string', 'o'],
    4: ['effect', 'string', 'o'], 5: ['tolerationSeconds', 'int64'],
  },
  'core.v1.TopologySpreadConstraint': {
    1: ['maxSkew', 'int32'], 2: ['topologyKey', 'string'], 3: ['whenUnsatisfiable', 'string'],
    4: ['labelSelector', 'meta.v1.LabelSelector'], 5: ['minDomains', 'int32'],
    6: ['nodeAffinityPolicy', 'string'], 7: ['nodeTaintsPolicy', 'string'],
    8: ['matchLabelKeys', 'string', 'r'],
  },
  'core.v1.VolumeMountStatus': {
    1: ['name', 'string'], 2: ['mountPath', 'string'], 3: ['readOnly', 'bool', 'o'],
    4: ['recursiveReadOnly', 'string'],
  },
  'core.v1.WeightedPodAffinityTerm': {
    1: ['weight', 'int32'], 2: ['podAffinityTerm', 'core.v1.PodAffinityTerm'],
  },
};
