/**
 * @module The default ClusterRoles and ClusterRoleBindings (upstream plugin/pkg/auth/
 * authorizer/rbac/bootstrappolicy/policy.go): cluster-admin, the aggregated admin/edit/view
 * user-facing roles and their `system:aggregate-to-*` parts, discovery, basic-user,
 * public-info-viewer, and the roles of the scheduler, controller manager, nodes and proxy.
 */
import type { ClusterRole, ClusterRoleBinding } from 'kubernetes-types/rbac/v1.js';
import { nodeRules } from '../node-authorizer.ts';
import { clusterBinding, clusterRole, eventsRule, groups, rbacGroup, read, readUpdate, readWrite, rule, serviceAccount, urlRule, users, write } from './helpers.ts';

const aggregateTo = (role: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${role}`]: 'true' });
const aggregating = (role: string) => ({ clusterRoleSelectors: [{ matchLabels: aggregateTo(role) }] });

const aggregateToAdmin = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule(readWrite, [rbacGroup], ['roles', 'rolebindings']),
];

const aggregateToEdit = [
  rule(read, [''], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(write, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
  rule(['create'], [''], ['pods/eviction']),
  rule(write, [''], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy', 'persistentvolumeclaims', 'configmaps', 'secrets', 'events']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(write, ['apps'], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
  rule(write, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(write, ['batch'], ['jobs', 'cronjobs']),
  rule(write, ['extensions'], ['daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'ingresses', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale', 'networkpolicies']),
  rule(write, ['policy'], ['poddisruptionbudgets']),
  rule(write, ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
  rule(readWrite, ['coordination.k8s.io'], ['leases']),
];

const aggregateToView = [
  rule(read, [''], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
  rule(read, [''], ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status', 'replicationcontrollers/status', 'pods/log']),
  // Reading namespaces in a namespace's scope means reading that one namespace.
  rule(read, [''], ['namespaces']),
  rule(read, ['discovery.k8s.io'], ['endpointslices']),
  rule(read, ['apps'], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
  rule(read, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(read, ['batch'], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
  rule(read, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale', 'networkpolicies']),
  rule(read, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(read, ['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status']),
];

const kubeSchedulerRules = [
  eventsRule(),
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
  rule(['create'], [''], ['endpoints']),
  rule(['get', 'update'], [''], ['endpoints'], ['kube-scheduler']),
  rule(read, [''], ['nodes']),
  rule(['get', 'list', 'watch', 'delete'], [''], ['pods']),
  rule(['create'], [''], ['pods/binding', 'bindings']),
  rule(['patch', 'update'], [''], ['pods/status']),
  rule(read, [''], ['services', 'replicationcontrollers']),
  rule(read, ['apps', 'extensions'], ['replicasets']),
  rule(read, ['apps'], ['statefulsets']),
  rule(read, ['policy'], ['poddisruptionbudgets']),
  rule(read, [''], ['persistentvolumeclaims', 'persistentvolumes']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  rule(read, ['storage.k8s.io'], ['csinodes']),
  rule(read, [''], ['namespaces']),
  rule(read, ['storage.k8s.io'], ['csidrivers']),
  rule(read, ['storage.k8s.io'], ['csistoragecapacities']),
  // Skiff's scheduler reads PriorityClasses itself (for preemption); upstream's relies on admission.
  rule(read, ['scheduling.k8s.io'], ['priorityclasses']),
];

const kubeControllerManagerRules = [
  eventsRule(),
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
  rule(['create'], [''], ['endpoints']),
  rule(['get', 'update'], [''], ['endpoints'], ['kube-controller-manager']),
  rule(['create'], [''], ['secrets', 'serviceaccounts']),
  rule(['delete'], [''], ['secrets']),
  rule(['get'], [''], ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
  rule(['update'], [''], ['secrets', 'serviceaccounts']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  // The shared informers list and watch everything.
  rule(['list', 'watch'], ['*'], ['*']),
  rule(['create'], [''], ['serviceaccounts/token']),
];

const signerApprover = (name: string, signer: string): ClusterRole =>
  clusterRole(name, [rule(['approve'], ['certificates.k8s.io'], ['signers'], [signer])]);

export function clusterRoles(): ClusterRole[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urlRule(['*'], ['*'])]),
    clusterRole('system:discovery', [urlRule(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*'])]),
    clusterRole('system:monitoring', [urlRule(['get'], ['/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz', '/livez/*', '/readyz/*', '/healthz/*'])]),
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [urlRule(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/'])]),
    clusterRole('admin', [], { aggregationRule: aggregating('admin') }),
    clusterRole('edit', [], { labels: aggregateTo('admin'), aggregationRule: aggregating('edit') }),
    clusterRole('view', [], { labels: aggregateTo('edit'), aggregationRule: aggregating('view') }),
    clusterRole('system:aggregate-to-admin', aggregateToAdmin, { labels: aggregateTo('admin') }),
    clusterRole('system:aggregate-to-edit', aggregateToEdit, { labels: aggregateTo('edit') }),
    clusterRole('system:aggregate-to-view', aggregateToView, { labels: aggregateTo('view') }),
    clusterRole('system:node', nodeRules),
    clusterRole('system:node-problem-detector', [rule(['get'], [''], ['nodes']), rule(['patch'], [''], ['nodes/status']), eventsRule()]),
    clusterRole('system:kubelet-api-admin', [
      rule(read, [''], ['nodes']),
      rule(['proxy'], [''], ['nodes']),
      rule(['*'], [''], ['nodes/proxy', 'nodes/metrics', 'nodes/stats', 'nodes/log']),
    ]),
    clusterRole('system:node-bootstrapper', [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])]),
    clusterRole('system:auth-delegator', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ]),
    clusterRole('system:kube-controller-manager', kubeControllerManagerRules),
    clusterRole('system:kube-dns', [rule(['list', 'watch'], [''], ['endpoints', 'services'])]),
    // kubeadm's CoreDNS role: what a DNS server fed by informers reads (Skiff's runs as user system:kube-dns).
    clusterRole('system:coredns', [
      rule(['list', 'watch'], [''], ['endpoints', 'services', 'pods', 'namespaces']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    clusterRole('system:persistent-volume-provisioner', [
      rule(['get', 'list', 'watch', 'create', 'delete'], [''], ['persistentvolumes']),
      rule(['get', 'list', 'watch', 'update'], [''], ['persistentvolumeclaims']),
      rule(read, ['storage.k8s.io'], ['storageclasses']),
      rule(['watch'], [''], ['events']),
      eventsRule(),
    ]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'])]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'])]),
    clusterRole('system:volume-scheduler', [
      rule(readUpdate, [''], ['persistentvolumes']),
      rule(read, ['storage.k8s.io'], ['storageclasses']),
      rule(readUpdate, [''], ['persistentvolumeclaims']),
    ]),
    signerApprover('system:certificates.k8s.io:legacy-unknown-approver', 'kubernetes.io/legacy-unknown'),
    signerApprover('system:certificates.k8s.io:kubelet-serving-approver', 'kubernetes.io/kubelet-serving'),
    signerApprover('system:certificates.k8s.io:kube-apiserver-client-approver', 'kubernetes.io/kube-apiserver-client'),
    signerApprover('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', 'kubernetes.io/kube-apiserver-client-kubelet'),
    clusterRole('system:service-account-issuer-discovery', [
      urlRule(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/']),
    ]),
    clusterRole('system:kube-scheduler', kubeSchedulerRules),
    clusterRole('system:node-proxier', [
      rule(['list', 'watch'], [''], ['services', 'endpoints']),
      rule(read, [''], ['nodes']),
      eventsRule(),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    clusterRole('system:skiff:node-proxier', [
      rule(['list', 'watch'], [''], ['services']),
      // The host-gw route manager watches every Node's podCIDR and address (list/watch, not get).
      rule(['list', 'watch'], [''], ['nodes']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    // The built-in ingress controller, with what ingress-nginx's ClusterRole grants it.
    clusterRole('system:skiff-ingress', [
      rule(read, [''], ['services', 'secrets']),
      rule(read, ['discovery.k8s.io'], ['endpointslices']),
      rule(read, ['networking.k8s.io'], ['ingresses', 'ingressclasses']),
      rule(['create'], ['networking.k8s.io'], ['ingressclasses']),
      rule(['update'], ['networking.k8s.io'], ['ingresses/status']),
      eventsRule(),
    ]),
    // As metrics-server's manifests ship them: readers of metrics.k8s.io through view/edit/admin,
    // and the scraper's own identity (kubelet metrics, the nodes and pods it labels metrics with).
    clusterRole('system:aggregated-metrics-reader', [rule(['get', 'list', 'watch'], ['metrics.k8s.io'], ['pods', 'nodes'])], {
      labels: { ...aggregateTo('view'), ...aggregateTo('edit'), ...aggregateTo('admin') },
    }),
    clusterRole('system:metrics-server', [rule(['get'], [''], ['nodes/metrics']), rule(['get', 'list', 'watch'], [''], ['pods', 'nodes'])]),
  ];
}

export function clusterRoleBindings(): ClusterRoleBinding[] {
  return [
    clusterBinding('cluster-admin', groups('system:masters')),
    clusterBinding('system:monitoring', groups('system:monitoring')),
    clusterBinding('system:discovery', groups('system:authenticated')),
    clusterBinding('system:basic-user', groups('system:authenticated')),
    clusterBinding('system:public-info-viewer', groups('system:authenticated', 'system:unauthenticated')),
    clusterBinding('system:node-proxier', users('system:kube-proxy')),
    // Skiff's choice, not upstream's: the service proxy runs inside the agent with the node's own
    // credentials (system:node:<name>), as does the host-gw route manager, so group system:nodes
    // may list and watch what they need — Services, EndpointSlices and Nodes (but not get
    // another Node by name, which the Node authorizer keeps to the node's own).
    clusterBinding('system:skiff:node-proxier', groups('system:nodes')),
    clusterBinding('system:skiff-ingress', users('system:skiff-ingress')),
    clusterBinding('system:kube-controller-manager', users('system:kube-controller-manager')),
    clusterBinding('system:kube-dns', [serviceAccount('kube-system', 'kube-dns')]),
    clusterBinding('system:coredns', [...users('system:kube-dns'), serviceAccount('kube-system', 'coredns')]),
    clusterBinding('system:kube-scheduler', users('system:kube-scheduler')),
    clusterBinding('system:volume-scheduler', users('system:kube-scheduler')),
    clusterBinding('system:service-account-issuer-discovery', groups('system:serviceaccounts')),
    // Kept without subjects, as upstream: the Node authorizer grants what nodes need.
    clusterBinding('system:node', []),
    clusterBinding('system:metrics-server', [...users('system:metrics-server'), serviceAccount('kube-system', 'metrics-server')]),
  ];
}
