/**
 * @module The structural schema server-side apply needs for built-in kinds: which lists are
 * associative (`listType=map` with `listMapKey`s, or `listType=set`), which are atomic, and
 * which structs/maps are atomic (`structType=atomic`, `mapType=atomic`). Taken from the
 * `+listType`/`+listMapKey`/`+structType`/`+mapType` markers in kubernetes/api types.go and
 * apimachinery meta/v1. Anything not described is deduced from the value: objects are
 * granular, lists atomic, everything else a scalar.
 */

export interface ScalarSchema {
  readonly kind: 'scalar';
}
/** An object with named fields. Unknown fields are allowed and deduced from their value. */
export interface StructSchema {
  readonly kind: 'struct';
  readonly fields: Readonly<Record<string, Schema>>;
  readonly atomic?: boolean;
}
/** A dictionary (`map[string]T`): every key is owned individually unless atomic. */
export interface MapSchema {
  readonly kind: 'map';
  readonly values?: Schema;
  readonly atomic?: boolean;
}
export interface ListSchema {
  readonly kind: 'list';
  readonly listType: 'atomic' | 'set' | 'map';
  /** `listMapKey`s, for `listType=map`. */
  readonly keys?: readonly string[];
  /** Defaults of key fields (SSA fills `protocol: TCP` when a port omits it). */
  readonly keyDefaults?: Readonly<Record<string, string | number | boolean>>;
  readonly items?: Schema;
  /** Go serialises this list even when empty, so creating an object never "adds" it. */
  readonly alwaysPresent?: boolean;
}
export type Schema = ScalarSchema | StructSchema | MapSchema | ListSchema;

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

// ---- builders -----------------------------------------------------------------------------

const scalar: ScalarSchema = { kind: 'scalar' };
const struct = (fields: Record<string, Schema> = {}): StructSchema => ({ kind: 'struct', fields });
const atomicStruct: StructSchema = { kind: 'struct', fields: {}, atomic: true };
const dict = (values?: Schema): MapSchema => ({ kind: 'map', values });
const atomicMap: MapSchema = { kind: 'map', atomic: true };
const atomicList: ListSchema = { kind: 'list', listType: 'atomic' };
const setList: ListSchema = { kind: 'list', listType: 'set' };
const mapList = (keys: string[], items: Schema = struct(), extra: Partial<ListSchema> = {}): ListSchema => ({
  kind: 'list',
  listType: 'map',
  keys,
  items,
  ...extra,
});
const conditions = mapList(['type']);

// ---- meta/v1 ------------------------------------------------------------------------------

/** metav1.LabelSelector is `structType=atomic`. */
const labelSelector = atomicStruct;

export const objectMetaSchema: StructSchema = struct({
  labels: dict(),
  annotations: dict(),
  finalizers: setList,
  // OwnerReference is structType=atomic.
  ownerReferences: mapList(['uid'], atomicStruct),
  managedFields: atomicList,
});

// ---- core/v1 ------------------------------------------------------------------------------

const resources = struct({ limits: dict(), requests: dict(), claims: mapList(['name']) });
const localObjectReference = atomicStruct;
const envVar = struct({
  valueFrom: struct({
    configMapKeyRef: atomicStruct,
    secretKeyRef: atomicStruct,
    fieldRef: atomicStruct,
    resourceFieldRef: atomicStruct,
    fileKeyRef: atomicStruct,
  }),
});
const probe = struct({
  exec: struct({ command: atomicList }),
  httpGet: struct({ httpHeaders: atomicList }),
});
const securityContext = struct({
  capabilities: struct({ add: atomicList, drop: atomicList }),
});
const containerPorts = mapList(['containerPort', 'protocol'], struct(), { keyDefaults: { protocol: 'TCP' } });

const container = struct({
  command: atomicList,
  args: atomicList,
  ports: containerPorts,
  envFrom: atomicList,
  env: mapList(['name'], envVar),
  resources,
  resizePolicy: atomicList,
  restartPolicyRules: atomicList,
  volumeMounts: mapList(['mountPath']),
  volumeDevices: mapList(['devicePath']),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: struct({
    postStart: struct({ exec: struct({ command: atomicList }), httpGet: struct({ httpHeaders: atomicList }) }),
    preStop: struct({ exec: struct({ command: atomicList }), httpGet: struct({ httpHeaders: atomicList }) }),
  }),
  securityContext,
});

const keyToPathItems = atomicList;
const volume = struct({
  secret: struct({ items: keyToPathItems }),
  configMap: struct({ items: keyToPathItems }),
  downwardAPI: struct({ items: keyToPathItems }),
  projected: struct({ sources: atomicList }),
  csi: struct({ volumeAttributes: dict(), nodePublishSecretRef: localObjectReference }),
  flexVolume: struct({ options: dict(), secretRef: localObjectReference }),
  rbd: struct({ monitors: atomicList, secretRef: localObjectReference }),
  cephfs: struct({ monitors: atomicList, secretRef: localObjectReference }),
  iscsi: struct({ portals: atomicList, secretRef: localObjectReference }),
  fc: struct({ targetWWNs: atomicList, wwids: atomicList }),
  ephemeral: struct({
    volumeClaimTemplate: struct({ metadata: objectMetaSchema, spec: struct({ accessModes: atomicList, selector: labelSelector }) }),
  }),
});

const nodeSelector = atomicStruct; // NodeSelector is structType=atomic
const affinity = struct({
  nodeAffinity: struct({
    requiredDuringSchedulingIgnoredDuringExecution: nodeSelector,
    preferredDuringSchedulingIgnoredDuringExecution: atomicList,
  }),
  podAffinity: struct({
    requiredDuringSchedulingIgnoredDuringExecution: atomicList,
    preferredDuringSchedulingIgnoredDuringExecution: atomicList,
  }),
  podAntiAffinity: struct({
    requiredDuringSchedulingIgnoredDuringExecution: atomicList,
    preferredDuringSchedulingIgnoredDuringExecution: atomicList,
  }),
});

export const podSpecSchema: StructSchema = struct({
  volumes: mapList(['name'], volume),
  initContainers: mapList(['name'], container),
  containers: mapList(['name'], container, { alwaysPresent: true }),
  ephemeralContainers: mapList(['name'], container),
  nodeSelector: atomicMap,
  imagePullSecrets: mapList(['name'], localObjectReference),
  tolerations: atomicList,
  hostAliases: mapList(['ip'], struct({ hostnames: atomicList })),
  readinessGates: atomicList,
  topologySpreadConstraints: mapList(['topologyKey', 'whenUnsatisfiable'], struct({ labelSelector, matchLabelKeys: atomicList })),
  schedulingGates: mapList(['name']),
  resourceClaims: mapList(['name']),
  affinity,
  securityContext: struct({ supplementalGroups: atomicList, sysctls: atomicList }),
  dnsConfig: struct({ nameservers: atomicList, searches: atomicList, options: atomicList }),
  overhead: dict(),
});

const podStatus = struct({
  conditions,
  hostIPs: atomicList,
  podIPs: mapList(['ip']),
  initContainerStatuses: atomicList,
  containerStatuses: atomicList,
  ephemeralContainerStatuses: atomicList,
  resourceClaimStatuses: mapList(['name']),
});

export const podTemplateSpecSchema: StructSchema = struct({ metadata: objectMetaSchema, spec: podSpecSchema });

const pvcSpec = struct({ accessModes: atomicList, selector: labelSelector, resources, dataSource: atomicStruct });
const pvcStatus = struct({ accessModes: atomicList, conditions, capacity: dict(), allocatedResources: dict() });

const serviceSpec = struct({
  ports: mapList(['port', 'protocol'], struct(), { keyDefaults: { protocol: 'TCP' } }),
  selector: atomicMap,
  clusterIPs: atomicList,
  externalIPs: atomicList,
  loadBalancerSourceRanges: atomicList,
  ipFamilies: atomicList,
});
const loadBalancerStatus = struct({ ingress: atomicList });

// ---- per kind -----------------------------------------------------------------------------

function root(fields: Record<string, Schema>): StructSchema {
  return struct({ metadata: objectMetaSchema, ...fields });
}

const workloadSpec = (extra: Record<string, Schema> = {}) =>
  struct({ selector: labelSelector, template: podTemplateSpecSchema, ...extra });
const workloadStatus = struct({ conditions });

const jobSpec = struct({
  selector: labelSelector,
  template: podTemplateSpecSchema,
  podFailurePolicy: struct({ rules: atomicList }),
  successPolicy: struct({ rules: atomicList }),
});

const kinds: Record<string, StructSchema> = {
  // core
  '/Pod': root({ spec: podSpecSchema, status: podStatus }),
  '/PodTemplate': root({ template: podTemplateSpecSchema }),
  '/ReplicationController': root({
    spec: struct({ selector: atomicMap, template: podTemplateSpecSchema }),
    status: workloadStatus,
  }),
  '/Service': root({ spec: serviceSpec, status: struct({ conditions, loadBalancer: loadBalancerStatus }) }),
  '/ConfigMap': root({ data: dict(), binaryData: dict() }),
  '/Secret': root({ data: dict(), stringData: dict() }),
  '/Namespace': root({ spec: struct({ finalizers: atomicList }), status: struct({ conditions }) }),
  '/Node': root({
    spec: struct({ podCIDRs: setList, taints: atomicList }),
    status: struct({
      conditions,
      addresses: mapList(['type']),
      capacity: dict(),
      allocatable: dict(),
      images: atomicList,
      volumesInUse: atomicList,
      volumesAttached: atomicList,
      runtimeHandlers: atomicList,
    }),
  }),
  '/ServiceAccount': root({ secrets: mapList(['name']), imagePullSecrets: atomicList }),
  '/Endpoints': root({ subsets: atomicList }),
  '/PersistentVolumeClaim': root({ spec: pvcSpec, status: pvcStatus }),
  '/PersistentVolume': root({
    spec: struct({ accessModes: atomicList, mountOptions: atomicList, capacity: dict(), nodeAffinity: struct({ required: nodeSelector }) }),
  }),
  '/LimitRange': root({ spec: struct({ limits: atomicList }) }),
  '/ResourceQuota': root({
    spec: struct({ hard: dict(), scopes: atomicList, scopeSelector: struct({ matchExpressions: atomicList }) }),
    status: struct({ hard: dict(), used: dict() }),
  }),
  // apps
  'apps/Deployment': root({ spec: workloadSpec(), status: workloadStatus }),
  'apps/ReplicaSet': root({ spec: workloadSpec(), status: workloadStatus }),
  'apps/DaemonSet': root({ spec: workloadSpec(), status: workloadStatus }),
  'apps/StatefulSet': root({ spec: workloadSpec({ volumeClaimTemplates: atomicList }), status: workloadStatus }),
  // batch
  'batch/Job': root({ spec: jobSpec, status: struct({ conditions: atomicList, uncountedTerminatedPods: struct({ succeeded: setList, failed: setList }) }) }),
  'batch/CronJob': root({
    spec: struct({ jobTemplate: struct({ metadata: objectMetaSchema, spec: jobSpec }) }),
    status: struct({ active: atomicList }),
  }),
  // networking
  'networking.k8s.io/Ingress': root({
    spec: struct({ tls: atomicList, rules: atomicList }),
    status: struct({ loadBalancer: loadBalancerStatus }),
  }),
  'networking.k8s.io/NetworkPolicy': root({
    spec: struct({ podSelector: labelSelector, ingress: atomicList, egress: atomicList, policyTypes: atomicList }),
  }),
  // rbac
  // Role.rules and ClusterRole.rules are not omitempty in Go.
  'rbac.authorization.k8s.io/Role': root({ rules: { ...atomicList, alwaysPresent: true } }),
  'rbac.authorization.k8s.io/ClusterRole': root({
    rules: { ...atomicList, alwaysPresent: true },
    aggregationRule: struct({ clusterRoleSelectors: atomicList }),
  }),
  'rbac.authorization.k8s.io/RoleBinding': root({ subjects: atomicList, roleRef: atomicStruct }),
  'rbac.authorization.k8s.io/ClusterRoleBinding': root({ subjects: atomicList, roleRef: atomicStruct }),
  // policy
  'policy/PodDisruptionBudget': root({ spec: struct({ selector: labelSelector }), status: struct({ conditions, disruptedPods: dict() }) }),
  // autoscaling
  'autoscaling/HorizontalPodAutoscaler': root({
    spec: struct({
      scaleTargetRef: atomicStruct,
      metrics: atomicList,
      behavior: struct({ scaleUp: struct({ policies: atomicList }), scaleDown: struct({ policies: atomicList }) }),
    }),
    status: struct({ currentMetrics: atomicList, conditions }),
  }),
  // discovery
  'discovery.k8s.io/EndpointSlice': root({ endpoints: atomicList, ports: atomicList }),
};

const unknownKind: StructSchema = root({});

/** The schema of a kind; unknown kinds (CRDs) get ObjectMeta plus deduced fields. */
export function schemaFor(gvk: GroupVersionKind): StructSchema {
  return kinds[`${gvk.group}/${gvk.kind}`] ?? unknownKind;
}

/** The schema a value has when nothing describes it: objects granular, lists atomic. */
export function deduce(value: unknown): Schema {
  if (Array.isArray(value)) return atomicList;
  if (typeof value === 'object' && value !== null) return struct();
  return scalar;
}

/** True when values described by `s` are owned as a whole. */
export function isAtomic(s: Schema): boolean {
  if (s.kind === 'scalar') return true;
  if (s.kind === 'list') return s.listType === 'atomic';
  return s.atomic === true;
}
