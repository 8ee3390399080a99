/**
 * @module Strategic-merge-patch metadata for the built-in kinds: which lists merge (and by which
 * key), which structs honour `$retainKeys`, which are replaced whole. Taken from the
 * `patchStrategy`/`patchMergeKey` struct tags in kubernetes/api v0.32 (core, apps, batch,
 * networking, autoscaling, rbac, policy, storage, coordination, discovery, scheduling) and
 * apimachinery's ObjectMeta. Only the paths that lead to a tagged field are described; anything
 * else is `unknown`, which strategic merge treats like an untagged field: lists are atomic,
 * maps merge.
 */

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** What the schema knows about one field, plus a way to walk into it. */
export interface PatchMeta {
  /** `unknown` when the schema does not describe the field. */
  readonly kind: 'map' | 'list' | 'primitive' | 'unknown';
  /**
   * Lists: `merge` (by `mergeKey`, or a set union for primitives) or `replace` (atomic).
   * Maps: `merge`, or `replace` when the tag says the whole struct is replaced.
   */
  readonly strategy: 'merge' | 'replace';
  readonly mergeKey?: string;
  /** The field is tagged `retainKeys` (for lists: each element honours `$retainKeys`). */
  readonly retainKeys: boolean;
  /** The meta of a field of this map (or, for a list, of a field of its elements). */
  field(name: string): PatchMeta;
  /** The meta of this list's elements. */
  items(): PatchMeta;
}

// ---- the schema -------------------------------------------------------------------------

type Tag = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';

interface StructField {
  readonly kind: 'struct';
  readonly type: string;
  readonly tag?: Tag;
}
interface ListField {
  readonly kind: 'list';
  /** Element struct type; absent for lists of primitives. */
  readonly items?: string;
  readonly tag?: Tag;
  readonly mergeKey?: string;
}
type Field = StructField | ListField;
type StructDef = Readonly<Record<string, Field>>;

const struct = (type: string, tag?: Tag): StructField => ({ kind: 'struct', type, tag });
/** A list merged by `mergeKey`; elements are `items` (or undescribed). */
const mergeList = (mergeKey: string, items?: string, tag: Tag = 'merge'): ListField => ({ kind: 'list', items, tag, mergeKey });
/** A list of primitives with `patchStrategy:"merge"`: the result is the union. */
const primitiveSet: ListField = { kind: 'list', tag: 'merge' };
const conditions = mergeList('type');

/** Named struct types. Every root kind also gets `metadata: ObjectMeta`. */
const types: Readonly<Record<string, StructDef>> = {
  ObjectMeta: { finalizers: primitiveSet, ownerReferences: mergeList('uid') },

  // core/v1
  PodSpec: {
    volumes: mergeList('name', undefined, 'merge,retainKeys'),
    initContainers: mergeList('name', 'Container'),
    containers: mergeList('name', 'Container'),
    ephemeralContainers: mergeList('name', 'Container'),
    imagePullSecrets: mergeList('name'),
    hostAliases: mergeList('ip'),
    topologySpreadConstraints: mergeList('topologyKey'),
    schedulingGates: mergeList('name'),
    resourceClaims: mergeList('name', undefined, 'merge,retainKeys'),
  },
  /** Also EphemeralContainerCommon, which carries the same tags. */
  Container: {
    ports: mergeList('containerPort'),
    env: mergeList('name'),
    volumeMounts: mergeList('mountPath'),
    volumeDevices: mergeList('devicePath'),
  },
  ContainerStatus: {
    volumeMounts: mergeList('mountPath'),
    allocatedResourcesStatus: mergeList('name'),
  },
  PodStatus: {
    conditions,
    hostIPs: mergeList('ip'),
    podIPs: mergeList('ip'),
    resourceClaimStatuses: mergeList('name', undefined, 'merge,retainKeys'),
  },
  Pod: { spec: struct('PodSpec'), status: struct('PodStatus') },
  PodTemplateSpec: { metadata: struct('ObjectMeta'), spec: struct('PodSpec') },
  PodTemplate: { template: struct('PodTemplateSpec') },
  ReplicationController: { spec: struct('WithPodTemplate'), status: struct('WithConditions') },
  Service: { spec: struct('ServiceSpec'), status: struct('WithConditions') },
  ServiceSpec: { ports: mergeList('port') },
  ServiceAccount: { secrets: mergeList('name') },
  Node: { spec: struct('NodeSpec'), status: struct('NodeStatus') },
  NodeSpec: { podCIDRs: primitiveSet },
  NodeStatus: { conditions, addresses: mergeList('type') },
  ComponentStatus: { conditions },

  // shared shapes
  WithConditions: { conditions },
  /** Namespace, PersistentVolumeClaim, HorizontalPodAutoscaler (autoscaling/v2). */
  WithStatusConditions: { status: struct('WithConditions') },
  WithPodTemplate: { template: struct('PodTemplateSpec') },
  WorkloadWithTemplate: { spec: struct('WithPodTemplate'), status: struct('WithConditions') },

  // apps/v1
  Deployment: { spec: struct('DeploymentSpec'), status: struct('WithConditions') },
  DeploymentSpec: { template: struct('PodTemplateSpec'), strategy: struct('DeploymentStrategy', 'retainKeys') },
  DeploymentStrategy: {},

  // batch/v1
  JobTemplateSpec: { metadata: struct('ObjectMeta'), spec: struct('WithPodTemplate') },
  CronJob: { spec: struct('CronJobSpec') },
  CronJobSpec: { jobTemplate: struct('JobTemplateSpec') },

  // policy/v1
  PodDisruptionBudget: { spec: struct('PodDisruptionBudgetSpec'), status: struct('WithConditions') },
  PodDisruptionBudgetSpec: { selector: struct('LabelSelector', 'replace') },
  LabelSelector: {},

  // storage/v1
  CSINode: { spec: struct('CSINodeSpec') },
  CSINodeSpec: { drivers: mergeList('name') },
};

/** `group/Kind` → root struct type. Kinds not listed still get ObjectMeta. */
const roots: Readonly<Record<string, string>> = {
  '/Pod': 'Pod',
  '/PodTemplate': 'PodTemplate',
  '/ReplicationController': 'ReplicationController',
  '/Service': 'Service',
  '/ServiceAccount': 'ServiceAccount',
  '/Node': 'Node',
  '/Namespace': 'WithStatusConditions',
  '/PersistentVolumeClaim': 'WithStatusConditions',
  '/ComponentStatus': 'ComponentStatus',
  'apps/Deployment': 'Deployment',
  'apps/ReplicaSet': 'WorkloadWithTemplate',
  'apps/StatefulSet': 'WorkloadWithTemplate',
  'apps/DaemonSet': 'WorkloadWithTemplate',
  'batch/Job': 'WorkloadWithTemplate',
  'batch/CronJob': 'CronJob',
  'autoscaling/HorizontalPodAutoscaler': 'WithStatusConditions',
  'policy/PodDisruptionBudget': 'PodDisruptionBudget',
  'storage.k8s.io/CSINode': 'CSINode',
};

// ---- the walker -------------------------------------------------------------------------

const unknownMeta: PatchMeta = {
  kind: 'unknown',
  strategy: 'merge',
  retainKeys: false,
  field: () => unknownMeta,
  items: () => unknownMeta,
};
const primitiveMeta: PatchMeta = { ...unknownMeta, kind: 'primitive' };

function structMeta(def: StructDef, tag?: Tag, root = false): PatchMeta {
  return {
    kind: 'map',
    strategy: tag === 'replace' ? 'replace' : 'merge',
    retainKeys: tag === 'retainKeys' || tag === 'merge,retainKeys',
    field(name) {
      const f = Object.hasOwn(def, name) ? def[name] : root && name === 'metadata' ? struct('ObjectMeta') : undefined;
      return f ? fieldMeta(f) : unknownMeta;
    },
    items: () => unknownMeta,
  };
}

function typeDef(name: string | undefined): StructDef | undefined {
  return name !== undefined && Object.hasOwn(types, name) ? types[name] : undefined;
}

function fieldMeta(f: Field): PatchMeta {
  if (f.kind === 'struct') return structMeta(typeDef(f.type) ?? {}, f.tag);
  const elemDef = typeDef(f.items);
  const items = elemDef ? structMeta(elemDef) : f.mergeKey ? structMeta({}) : primitiveMeta;
  return {
    kind: 'list',
    strategy: f.tag === 'merge' || f.tag === 'merge,retainKeys' ? 'merge' : 'replace',
    mergeKey: f.mergeKey,
    retainKeys: f.tag === 'retainKeys' || f.tag === 'merge,retainKeys',
    field: (name) => items.field(name),
    items: () => items,
  };
}

/** The meta of a whole object of the given kind. The version is not consulted. */
export function patchMetaFor(gvk: GroupVersionKind): PatchMeta {
  const rootType = roots[`${gvk.group}/${gvk.kind}`];
  return structMeta(typeDef(rootType) ?? {}, undefined, true);
}

/**
 * The meta at `path` (field names; a list is entered implicitly, so
 * `['spec','template','spec','containers','env']` is the env list of any container).
 */
export function patchMetaAt(gvk: GroupVersionKind, path: readonly string[]): PatchMeta {
  let meta = patchMetaFor(gvk);
  for (const name of path) meta = meta.field(name);
  return meta;
}
