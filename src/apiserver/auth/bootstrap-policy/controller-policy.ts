/**
 * @module The roles of the controllers (upstream bootstrappolicy/controller_policy.go): one
 * ClusterRole `system:controller:<sa>` per controller, bound to the ServiceAccount
 * `kube-system/<sa>` the controller runs as. Only the controllers Skiff runs (and the few
 * whose names other code may use) are listed.
 */
import type { ClusterRole, ClusterRoleBinding } from 'kubernetes-types/rbac/v1.js';
import { clusterBinding, clusterRole, eventsRule, rule, serviceAccount } from './helpers.ts';

export const controllerRolePrefix = 'system:controller:';
const apps = ['apps', 'extensions'];
const certs = 'certificates.k8s.io';

const roles: Record<string, ReturnType<typeof rule>[]> = {
  'clusterrole-aggregation-controller': [rule(['escalate', 'get', 'list', 'watch', 'update', 'patch'], ['rbac.authorization.k8s.io'], ['clusterroles'])],
  'cronjob-controller': [
    rule(['get', 'list', 'watch', 'update'], ['batch'], ['cronjobs']),
    rule(['get', 'list', 'watch', 'create', 'update', 'delete', 'patch'], ['batch'], ['jobs']),
    rule(['update'], ['batch'], ['cronjobs/status']),
    rule(['update'], ['batch'], ['cronjobs/finalizers']),
    rule(['list', 'watch', 'delete'], [''], ['pods']),
    eventsRule(),
  ],
  'daemon-set-controller': [
    rule(['get', 'list', 'watch'], apps, ['daemonsets']),
    rule(['update'], apps, ['daemonsets/status']),
    rule(['update'], apps, ['daemonsets/finalizers']),
    rule(['list', 'watch'], [''], ['nodes']),
    rule(['list', 'watch', 'create', 'delete', 'patch'], [''], ['pods']),
    rule(['create'], [''], ['pods/binding']),
    rule(['get', 'list', 'watch', 'create', 'delete', 'update', 'patch'], ['apps'], ['controllerrevisions']),
    eventsRule(),
  ],
  'deployment-controller': [
    rule(['get', 'list', 'watch', 'update'], apps, ['deployments']),
    rule(['update'], apps, ['deployments/status']),
    rule(['update'], apps, ['deployments/finalizers']),
    rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], apps, ['replicasets']),
    rule(['get', 'list', 'watch', 'update'], [''], ['pods']),
    eventsRule(),
  ],
  'disruption-controller': [
    rule(['get', 'list', 'watch'], apps, ['deployments']),
    rule(['get', 'list', 'watch'], apps, ['replicasets']),
    rule(['get', 'list', 'watch'], [''], ['replicationcontrollers']),
    rule(['get', 'list', 'watch'], ['policy'], ['poddisruptionbudgets']),
    rule(['get', 'list', 'watch'], ['apps'], ['statefulsets']),
    rule(['update'], ['policy'], ['poddisruptionbudgets/status']),
    rule(['patch', 'update'], [''], ['pods/status']),
    rule(['get'], ['*'], ['*/scale']),
    eventsRule(),
  ],
  'endpoint-controller': [
    rule(['get', 'list', 'watch'], [''], ['services', 'pods']),
    rule(['get', 'list', 'watch', 'create', 'update', 'delete'], [''], ['endpoints']),
    rule(['create'], [''], ['endpoints/restricted']),
    eventsRule(),
  ],
  'endpointslice-controller': [
    rule(['get', 'list', 'watch'], [''], ['services', 'pods', 'nodes']),
    rule(['update'], [''], ['services/finalizers']),
    rule(['get', 'list', 'watch', 'create', 'update', 'delete'], ['discovery.k8s.io'], ['endpointslices']),
    eventsRule(),
  ],
  'generic-garbage-collector': [rule(['get', 'list', 'watch', 'patch', 'update', 'delete'], ['*'], ['*']), eventsRule()],
  'horizontal-pod-autoscaler': [
    rule(['get', 'list', 'watch'], ['autoscaling'], ['horizontalpodautoscalers']),
    rule(['update'], ['autoscaling'], ['horizontalpodautoscalers/status']),
    rule(['get', 'update'], ['*'], ['*/scale']),
    rule(['list', 'watch'], [''], ['pods']),
    rule(['get', 'list'], ['metrics.k8s.io'], ['pods']),
    rule(['get', 'list', 'watch'], ['custom.metrics.k8s.io'], ['*']),
    rule(['get', 'list', 'watch'], ['external.metrics.k8s.io'], ['*']),
    eventsRule(),
  ],
  'job-controller': [
    rule(['get', 'list', 'watch', 'update', 'patch'], ['batch'], ['jobs']),
    rule(['update'], ['batch'], ['jobs/status']),
    rule(['update'], ['batch'], ['jobs/finalizers']),
    rule(['list', 'watch', 'create', 'delete', 'patch'], [''], ['pods']),
    eventsRule(),
  ],
  'namespace-controller': [
    rule(['get', 'list', 'watch', 'delete'], [''], ['namespaces']),
    rule(['update'], [''], ['namespaces/finalize', 'namespaces/status']),
    rule(['get', 'list', 'watch', 'delete', 'deletecollection'], ['*'], ['*']),
  ],
  'node-controller': [
    rule(['get', 'list', 'watch', 'update', 'delete', 'patch'], [''], ['nodes']),
    rule(['patch', 'update'], [''], ['nodes/status']),
    rule(['patch', 'update'], [''], ['pods/status']),
    rule(['list', 'watch', 'get', 'delete'], [''], ['pods']),
    eventsRule(),
  ],
  'pod-garbage-collector': [
    rule(['list', 'watch', 'delete'], [''], ['pods']),
    rule(['get', 'list', 'watch'], [''], ['nodes']),
    rule(['patch'], [''], ['pods/status']),
  ],
  'replicaset-controller': [
    rule(['get', 'list', 'watch', 'update'], apps, ['replicasets']),
    rule(['update'], apps, ['replicasets/status']),
    rule(['update'], apps, ['replicasets/finalizers']),
    rule(['list', 'watch', 'patch', 'create', 'delete'], [''], ['pods']),
    eventsRule(),
  ],
  'replication-controller': [
    rule(['get', 'list', 'watch', 'update'], [''], ['replicationcontrollers']),
    rule(['update'], [''], ['replicationcontrollers/status']),
    rule(['update'], [''], ['replicationcontrollers/finalizers']),
    rule(['list', 'watch', 'patch', 'create', 'delete'], [''], ['pods']),
    eventsRule(),
  ],
  'resourcequota-controller': [rule(['list', 'watch'], ['*'], ['*']), rule(['update'], [''], ['resourcequotas/status']), eventsRule()],
  'route-controller': [rule(['list', 'watch'], [''], ['nodes']), rule(['patch'], [''], ['nodes/status']), eventsRule()],
  'service-account-controller': [rule(['create'], [''], ['serviceaccounts']), eventsRule()],
  'service-controller': [
    rule(['get', 'list', 'watch'], [''], ['services']),
    rule(['patch', 'update'], [''], ['services/status']),
    rule(['list', 'watch'], [''], ['nodes']),
    eventsRule(),
  ],
  // Skiff's ServiceLB (k3s servicelb): upstream's service-controller rules plus the finalizer patch.
  'service-lb-controller': [
    rule(['get', 'list', 'watch', 'patch', 'update'], [''], ['services']),
    rule(['patch', 'update'], [''], ['services/status']),
    rule(['list', 'watch'], [''], ['nodes']),
    eventsRule(),
  ],
  'statefulset-controller': [
    rule(['list', 'watch'], [''], ['pods']),
    rule(['get', 'list', 'watch'], ['apps'], ['statefulsets']),
    rule(['update'], ['apps'], ['statefulsets/status']),
    rule(['update'], ['apps'], ['statefulsets/finalizers']),
    rule(['get', 'create', 'delete', 'update', 'patch'], [''], ['pods']),
    rule(['get', 'create', 'delete', 'update', 'patch', 'list', 'watch'], ['apps'], ['controllerrevisions']),
    rule(['get', 'create', 'list', 'watch'], [''], ['persistentvolumeclaims']),
    rule(['update', 'delete'], [''], ['persistentvolumeclaims']),
    rule(['update'], [''], ['pods/finalizers']),
    eventsRule(),
  ],
  'taint-eviction-controller': [rule(['patch'], [''], ['pods/status']), rule(['list', 'get', 'delete'], [''], ['pods']), eventsRule()],
  'ttl-controller': [rule(['update', 'patch', 'list', 'watch'], [''], ['nodes']), eventsRule()],
  'certificate-controller': [
    rule(['get', 'list', 'watch', 'delete'], [certs], ['certificatesigningrequests']),
    rule(['update'], [certs], ['certificatesigningrequests/status', 'certificatesigningrequests/approval']),
    rule(['approve'], [certs], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
    rule(['sign'], [certs], ['signers'], ['kubernetes.io/legacy-unknown', 'kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving']),
    rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    eventsRule(),
  ],
  'persistent-volume-binder': [
    rule(['get', 'list', 'watch', 'update', 'create', 'delete'], [''], ['persistentvolumes']),
    rule(['update'], [''], ['persistentvolumes/status']),
    rule(['get', 'list', 'watch', 'update'], [''], ['persistentvolumeclaims']),
    rule(['update'], [''], ['persistentvolumeclaims/status']),
    rule(['list', 'watch', 'get', 'create', 'delete'], [''], ['pods']),
    rule(['get', 'create', 'delete'], [''], ['endpoints', 'services']),
    rule(['get'], [''], ['secrets']),
    rule(['list', 'watch'], [''], ['nodes']),
    rule(['watch', 'get', 'list'], ['storage.k8s.io'], ['storageclasses']),
    eventsRule(),
  ],
  // Skiff's name for the control-plane half of k3s' local-path provisioner (not upstream).
  'local-path-provisioner': [
    rule(['get', 'list', 'watch', 'create', 'delete'], [''], ['persistentvolumes']),
    rule(['get', 'list', 'watch'], [''], ['persistentvolumeclaims']),
    rule(['get', 'list', 'watch', 'update'], [''], ['nodes']),
    rule(['get', 'list', 'watch'], ['storage.k8s.io'], ['storageclasses']),
    eventsRule(),
  ],
  'expand-controller': [
    rule(['get', 'list', 'watch', 'update', 'patch'], [''], ['persistentvolumes']),
    rule(['get', 'list', 'watch'], [''], ['persistentvolumeclaims']),
    rule(['update', 'patch'], [''], ['persistentvolumeclaims/status']),
    rule(['get', 'list', 'watch'], ['storage.k8s.io'], ['storageclasses']),
    eventsRule(),
  ],
  'pvc-protection-controller': [
    rule(['get', 'list', 'watch', 'update'], [''], ['persistentvolumeclaims']),
    rule(['list', 'watch', 'get'], [''], ['pods']),
    eventsRule(),
  ],
  'pv-protection-controller': [rule(['get', 'list', 'watch', 'update'], [''], ['persistentvolumes']), eventsRule()],
  'ttl-after-finished-controller': [rule(['get', 'list', 'watch', 'delete'], ['batch'], ['jobs']), eventsRule()],
  'root-ca-cert-publisher': [rule(['create', 'update'], [''], ['configmaps']), eventsRule()],
};

/**
 * Where Skiff's controllers make a call upstream's do not (found by the warn-level log of
 * forbidden component requests), the extra rule is added here, apart from upstream's list.
 */
const skiffExtras: Record<string, ReturnType<typeof rule>[]> = {
  // Skiff's deployment controller patches the Deployment (revision annotations, rollback).
  'deployment-controller': [rule(['patch'], apps, ['deployments'])],
  // Skiff's pod GC and taint eviction write pod conditions with update where upstream patches.
  'pod-garbage-collector': [rule(['update'], [''], ['pods/status'])],
  'taint-eviction-controller': [rule(['update'], [''], ['pods/status'])],
};

/** ServiceAccount names that have a controller role. */
export const controllerServiceAccounts = Object.keys(roles);

export function controllerRoles(): ClusterRole[] {
  return Object.entries(roles).map(([sa, rules]) => clusterRole(controllerRolePrefix + sa, [...rules, ...(skiffExtras[sa] ?? [])]));
}

export function controllerRoleBindings(): ClusterRoleBinding[] {
  return Object.keys(roles).map((sa) => clusterBinding(controllerRolePrefix + sa, [serviceAccount('kube-system', sa)]));
}
