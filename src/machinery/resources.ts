/**
 * @module The table of built-in resources: group/version/resource ↔ kind, scope, short names,
 * categories, verbs and subresources. Discovery, the registry, the client and kubectl's view
 * of the server all come from this one table.
 */
export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface SubresourceInfo {
  name: string;
  /** The kind the subresource speaks; defaults to the parent's kind. */
  kind?: GroupVersionKind;
  verbs: Verb[];
}

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural, lower case: `deployments`. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: Verb[];
  subresources?: SubresourceInfo[];
}

export const allVerbs: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const createOnly: Verb[] = ['create'];
const statusVerbs: Verb[] = ['get', 'patch', 'update'];
const scaleKind: GroupVersionKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

export const apiVersionOf = (r: { group: string; version: string }): string =>
  r.group ? `${r.group}/${r.version}` : r.version;

interface Spec {
  resource: string;
  kind: string;
  namespaced?: boolean;
  shortNames?: string[];
  all?: boolean;
  verbs?: Verb[];
  status?: boolean;
  scale?: boolean;
  extra?: SubresourceInfo[];
  singular?: string;
}

function group(group: string, version: string, specs: Spec[]): ResourceInfo[] {
  return specs.map((s) => {
    const subresources: SubresourceInfo[] = [];
    if (s.status) subresources.push({ name: 'status', verbs: statusVerbs });
    if (s.scale) subresources.push({ name: 'scale', kind: scaleKind, verbs: statusVerbs });
    if (s.extra) subresources.push(...s.extra);
    const info: ResourceInfo = {
      group,
      version,
      resource: s.resource,
      singular: s.singular ?? s.kind.toLowerCase(),
      kind: s.kind,
      namespaced: s.namespaced ?? true,
      verbs: s.verbs ?? allVerbs,
    };
    if (s.shortNames) info.shortNames = s.shortNames;
    if (s.all) info.categories = ['all'];
    if (subresources.length) info.subresources = subresources;
    return info;
  });
}

/**
 * Every built-in resource, grouped as upstream serves them. Within a group the first version
 * listed is the preferred one.
 */
export const builtinResources: ResourceInfo[] = [
  ...group('', 'v1', [
    { resource: 'bindings', kind: 'Binding', verbs: createOnly },
    { resource: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] },
    { resource: 'endpoints', kind: 'Endpoints', shortNames: ['ep'], singular: 'endpoints' },
    { resource: 'events', kind: 'Event', shortNames: ['ev'] },
    { resource: 'limitranges', kind: 'LimitRange', shortNames: ['limits'] },
    {
      resource: 'namespaces',
      kind: 'Namespace',
      namespaced: false,
      shortNames: ['ns'],
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      status: true,
      extra: [{ name: 'finalize', verbs: ['update'] }],
    },
    { resource: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'], status: true },
    { resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', shortNames: ['pvc'], status: true },
    { resource: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'], status: true },
    {
      resource: 'pods',
      kind: 'Pod',
      shortNames: ['po'],
      all: true,
      status: true,
      extra: [
        { name: 'attach', kind: { group: '', version: 'v1', kind: 'PodAttachOptions' }, verbs: ['create', 'get'] },
        { name: 'binding', kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
        { name: 'eviction', kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
        { name: 'exec', kind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: ['create', 'get'] },
        { name: 'log', kind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
        { name: 'portforward', kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' }, verbs: ['create', 'get'] },
        { name: 'proxy', kind: { group: '', version: 'v1', kind: 'PodProxyOptions' }, verbs: ['create', 'delete', 'get', 'patch', 'update'] },
      ],
    },
    { resource: 'podtemplates', kind: 'PodTemplate' },
    { resource: 'replicationcontrollers', kind: 'ReplicationController', shortNames: ['rc'], all: true, status: true, scale: true },
    { resource: 'resourcequotas', kind: 'ResourceQuota', shortNames: ['quota'], status: true },
    { resource: 'secrets', kind: 'Secret' },
    {
      resource: 'serviceaccounts',
      kind: 'ServiceAccount',
      shortNames: ['sa'],
      extra: [{ name: 'token', kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] }],
    },
    { resource: 'services', kind: 'Service', shortNames: ['svc'], all: true, status: true },
  ]),
  ...group('apps', 'v1', [
    { resource: 'controllerrevisions', kind: 'ControllerRevision' },
    { resource: 'daemonsets', kind: 'DaemonSet', shortNames: ['ds'], all: true, status: true },
    { resource: 'deployments', kind: 'Deployment', shortNames: ['deploy'], all: true, status: true, scale: true },
    { resource: 'replicasets', kind: 'ReplicaSet', shortNames: ['rs'], all: true, status: true, scale: true },
    { resource: 'statefulsets', kind: 'StatefulSet', shortNames: ['sts'], all: true, status: true, scale: true },
  ]),
  ...group('authentication.k8s.io', 'v1', [
    { resource: 'selfsubjectreviews', kind: 'SelfSubjectReview', namespaced: false, verbs: createOnly },
    { resource: 'tokenreviews', kind: 'TokenReview', namespaced: false, verbs: createOnly },
  ]),
  ...group('authorization.k8s.io', 'v1', [
    { resource: 'localsubjectaccessreviews', kind: 'LocalSubjectAccessReview', verbs: createOnly },
    { resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false, verbs: createOnly },
    { resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview', namespaced: false, verbs: createOnly },
    { resource: 'subjectaccessreviews', kind: 'SubjectAccessReview', namespaced: false, verbs: createOnly },
  ]),
  ...group('autoscaling', 'v2', [
    { resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'], status: true },
  ]),
  ...group('autoscaling', 'v1', [
    { resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'], status: true },
  ]),
  ...group('batch', 'v1', [
    { resource: 'cronjobs', kind: 'CronJob', shortNames: ['cj'], all: true, status: true },
    { resource: 'jobs', kind: 'Job', all: true, status: true },
  ]),
  ...group('certificates.k8s.io', 'v1', [
    {
      resource: 'certificatesigningrequests',
      kind: 'CertificateSigningRequest',
      namespaced: false,
      shortNames: ['csr'],
      status: true,
      extra: [{ name: 'approval', verbs: statusVerbs }],
    },
  ]),
  ...group('admissionregistration.k8s.io', 'v1', [
    { resource: 'mutatingwebhookconfigurations', kind: 'MutatingWebhookConfiguration', namespaced: false },
    { resource: 'validatingadmissionpolicies', kind: 'ValidatingAdmissionPolicy', namespaced: false, status: true },
    { resource: 'validatingadmissionpolicybindings', kind: 'ValidatingAdmissionPolicyBinding', namespaced: false },
    { resource: 'validatingwebhookconfigurations', kind: 'ValidatingWebhookConfiguration', namespaced: false },
  ]),
  ...group('coordination.k8s.io', 'v1', [{ resource: 'leases', kind: 'Lease' }]),
  ...group('discovery.k8s.io', 'v1', [{ resource: 'endpointslices', kind: 'EndpointSlice' }]),
  ...group('events.k8s.io', 'v1', [{ resource: 'events', kind: 'Event', shortNames: ['ev'] }]),
  ...group('networking.k8s.io', 'v1', [
    { resource: 'ingressclasses', kind: 'IngressClass', namespaced: false },
    { resource: 'ingresses', kind: 'Ingress', shortNames: ['ing'], status: true },
    { resource: 'networkpolicies', kind: 'NetworkPolicy', shortNames: ['netpol'] },
  ]),
  ...group('policy', 'v1', [{ resource: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', shortNames: ['pdb'], status: true }]),
  ...group('rbac.authorization.k8s.io', 'v1', [
    { resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
    { resource: 'clusterroles', kind: 'ClusterRole', namespaced: false },
    { resource: 'rolebindings', kind: 'RoleBinding' },
    { resource: 'roles', kind: 'Role' },
  ]),
  ...group('scheduling.k8s.io', 'v1', [{ resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false, shortNames: ['pc'] }]),
  ...group('storage.k8s.io', 'v1', [
    { resource: 'storageclasses', kind: 'StorageClass', namespaced: false, shortNames: ['sc'] },
  ]),
];

/** Finds a resource by group, version and plural name. */
export function findResource(
  table: readonly ResourceInfo[],
  groupName: string,
  version: string,
  resource: string,
): ResourceInfo | undefined {
  return table.find((r) => r.group === groupName && r.version === version && r.resource === resource);
}

/** Finds a resource by apiVersion and kind, e.g. for `kubectl apply` manifests. */
export function findByKind(table: readonly ResourceInfo[], apiVersion: string, kind: string): ResourceInfo | undefined {
  return table.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}
