/**
 * @module Field tables for core/v1 containers, written by tools/gen-tables.ts (v0.32.4); see ../table.ts.
 */
import type { MessageTable } from '../table.ts';

export const coreContainerMessages: MessageTable = {
  'core.v1.AppArmorProfile': {
    1: ['type', 'string'], 2: ['localhostProfile', 'string'],
  },
  'core.v1.Capabilities': {
    1: ['add', 'string', 'r'], 2: ['drop', 'string', 'r'],
  },
  'core.v1.ConfigMapEnvSource': {
    1: ['localObjectReference', 'core.v1.LocalObjectReference', 'i'], 2: ['optional', 'bool'],
  },
  'core.v1.ConfigMapKeySelector': {
    1: ['localObjectReference', 'core.v1.LocalObjectReference', 'i'], 2: ['key', 'string'],
    3: ['optional', 'bool'],
  },
  'core.v1.Container': {
    1: ['name', 'string'], 2: ['image', 'string', 'o'], 3: ['command', 'string', 'r'],
    4: ['args', 'string', 'r'], 5: ['workingDir', 'string', 'o'], 6: ['ports', 'core.v1.ContainerPort', 'r'],
    19: ['envFrom', 'core.v1.EnvFromSource', 'r'], 7: ['env', 'core.v1.EnvVar', 'r'],
    8: ['resources', 'core.v1.ResourceRequirements', 'o'],
    23: ['resizePolicy', 'core.v1.ContainerResizePolicy', 'r'], 24: ['restartPolicy', 'string'],
    9: ['volumeMounts', 'core.v1.VolumeMount', 'r'], 21: ['volumeDevices', 'core.v1.VolumeDevice', 'r'],
    10: ['livenessProbe', 'core.v1.Probe'], 11: ['readinessProbe', 'core.v1.Probe'],
    22: ['startupProbe', 'core.v1.Probe'], 12: ['lifecycle', 'core.v1.Lifecycle'],
    13: ['terminationMessagePath', 'string', 'o'], 20: ['terminationMessagePolicy', 'string', 'o'],
    14: ['imagePullPolicy', 'string', 'o'], 15: ['securityContext', 'core.v1.SecurityContext'],
    16: ['stdin', 'bool', 'o'], 17: ['stdinOnce', 'bool', 'o'], 18: ['tty', 'bool', 'o'],
  },
  'core.v1.ContainerPort': {
    1: ['name', 'string', 'o'], 2: ['hostPort', 'int32', 'o'], 3: ['containerPort', 'int32'],
    4: ['protocol', 'string', 'o'], 5: ['hostIP', 'string', 'o'],
  },
  'core.v1.ContainerResizePolicy': {
    1: ['resourceName', 'string'], 2: ['restartPolicy', 'string'],
  },
  'core.v1.EnvFromSource': {
    1: ['prefix', 'string', 'o'], 2: ['configMapRef', 'core.v1.ConfigMapEnvSource'],
    3: ['secretRef', 'core.v1.SecretEnvSource'],
  },
  'core.v1.EnvVar': {
    1: ['name', 'string'], 2: ['value', 'string', 'o'], 3: ['valueFrom', 'core.v1.EnvVarSource'],
  },
  'core.v1.EnvVarSource': {
    1: ['fieldRef', 'core.v1.ObjectFieldSelector'], 2: ['resourceFieldRef', 'core.v1.ResourceFieldSelector'],
    3: ['configMapKeyRef', 'core.v1.ConfigMapKeySelector'], 4: ['secretKeyRef', 'core.v1.SecretKeySelector'],
  },
  'core.v1.EphemeralContainer': {
    1: ['ephemeralContainerCommon', 'core.v1.EphemeralContainerCommon', 'i'],
    2: ['targetContainerName', 'string', 'o'],
  },
  'core.v1.EphemeralContainerCommon': {
    1: ['name', 'string'], 2: ['image', 'string', 'o'], 3: ['command', 'string', 'r'],
    4: ['args', 'string', 'r'], 5: ['workingDir', 'string', 'o'], 6: ['ports', 'core.v1.ContainerPort', 'r'],
    19: ['envFrom', 'core.v1.EnvFromSource', 'r'], 7: ['env', 'core.v1.EnvVar', 'r'],
    8: ['resources', 'core.v1.ResourceRequirements', 'o'],
    23: ['resizePolicy', 'core.v1.ContainerResizePolicy', 'r'], 24: ['restartPolicy', 'string'],
    9: ['volumeMounts', 'core.v1.VolumeMount', 'r'], 21: ['volumeDevices', 'core.v1.VolumeDevice', 'r'],
    10: ['livenessProbe', 'core.v1.Probe'], 11: ['readinessProbe', 'core.v1.Probe'],
    22: ['startupProbe', 'core.v1.Probe'], 12: ['lifecycle', 'core.v1.Lifecycle'],
    13: ['terminationMessagePath', 'string', 'o'], 20: ['terminationMessagePolicy', 'string', 'o'],
    14: ['imagePullPolicy', 'string', 'o'], 15: ['securityContext', 'core.v1.SecurityContext'],
    16: ['stdin', 'bool', 'o'], 17: ['stdinOnce', 'bool', 'o'], 18: ['tty', 'bool', 'o'],
  },
  'core.v1.ExecAction': {
    1: ['command', 'string', 'r'],
  },
  'core.v1.GRPCAction': {
    1: ['port', 'int32'], 2: ['service', 'string'],
  },
  'core.v1.HTTPGetAction': {
    1: ['path', 'string', 'o'], 2: ['port', 'IntOrString'], 3: ['host', 'string', 'o'],
    4: ['scheme', 'string', 'o'], 5: ['httpHeaders', 'core.v1.HTTPHeader', 'r'],
  },
  'core.v1.HTTPHeader': {
    1: ['name', 'string'], 2: ['value', 'string'],
  },
  'core.v1.Lifecycle': {
    1: ['postStart', 'core.v1.LifecycleHandler'], 2: ['preStop', 'core.v1.LifecycleHandler'],
  },
  'core.v1.LifecycleHandler': {
    1: ['exec', 'core.v1.ExecAction'], 2: ['httpGet', 'core.v1.HTTPGetAction'],
    3: ['tcpSocket', 'core.v1.TCPSocketAction'], 4: ['sleep', 'core.v1.SleepAction'],
  },
  'core.v1.Probe': {
    1: ['handler', 'core.v1.ProbeHandler', 'i'], 2: ['initialDelaySeconds', 'int32', 'o'],
    3: ['timeoutSeconds', 'int32', 'o'], 4: ['periodSeconds', 'int32', 'o'],
    5: ['successThreshold', 'int32', 'o'], 6: ['failureThreshold', 'int32', 'o'],
    7: ['terminationGracePeriodSeconds', 'int64'],
  },
  'core.v1.ProbeHandler': {
    1: ['exec', 'core.v1.ExecAction'], 2: ['httpGet', 'core.v1.HTTPGetAction'],
    3: ['tcpSocket', 'core.v1.TCPSocketAction'], 4: ['grpc', 'core.v1.GRPCAction'],
  },
  'core.v1.ResourceClaim': {
    1: ['name', 'string'], 2: ['request', 'string', 'o'],
  },
  'core.v1.ResourceRequirements': {
    1: ['limits', 'map<string,Quantity>', 'o'], 2: ['requests', 'map<string,Quantity>', 'o'],
    3: ['claims', 'core.v1.ResourceClaim', 'r'],
  },
  'core.v1.SELinuxOptions': {
    1: ['user', 'string', 'o'], 2: ['role', 'string', 'o'], 3: ['type', 'string', 'o'],
    4: ['level', 'string', 'o'],
  },
  'core.v1.SeccompProfile': {
    1: ['type', 'string'], 2: ['localhostProfile', 'string'],
  },
  'core.v1.SecretEnvSource': {
    1: ['localObjectReference', 'core.v1.LocalObjectReference', 'i'], 2: ['optional', 'bool'],
  },
  'core.v1.SecretKeySelector': {
    1: ['localObjectReference', 'core.v1.LocalObjectReference', 'i'], 2: ['key', 'string'],
    3: ['optional', 'bool'],
  },
  'core.v1.SecurityContext': {
    1: ['capabilities', 'core.v1.Capabilities'], 2: ['privileged', 'bool'],
    3: ['seLinuxOptions', 'core.v1.SELinuxOptions'],
    10: ['windowsOptions', 'core.v1.WindowsSecurityContextOptions'], 4: ['runAsUser', 'int64'],
    8: ['runAsGroup', 'int64'], 5: ['runAsNonRoot', 'bool'], 6: ['readOnlyRootFilesystem', 'bool'],
    7: ['allowPrivilegeEscalation', 'bool'], 9: ['procMount', 'string'],
    11: ['seccompProfile', 'core.v1.SeccompProfile'], 12: ['appArmorProfile', 'core.v1.AppArmorProfile'],
  },
  'core.v1.SleepAction': {
    1: ['seconds', 'int64'],
  },
  'core.v1.TCPSocketAction': {
    1: ['port', 'IntOrString'], 2: ['host', 'string', 'o'],
  },
  'core.v1.VolumeDevice': {
    1: ['name', 'string'], 2: ['devicePath', 'string'],
  },
  'core.v1.VolumeMount': {
    1: ['name', 'string'], 2: ['readOnly', 'bool', 'o'], 7: ['recursiveReadOnly', 'string'],
    3: ['mountPath', 'string'], 4: ['subPath', 'string', 'o'], 5: ['mountPropagation', 'string'],
    6: ['subPathExpr', 'string', 'o'],
  },
  'core.v1.WindowsSecurityContextOptions': {
    1: ['gmsaCredentialSpecName', 'string'], 2: ['gmsaCredentialSpec', 'string'],
    3: ['runAsUserName', 'string'], 4: ['hostProcess', 'bool'],
  },
};
