/**
 * @module Priority admission (upstream plugin/pkg/admission/priority): a pod being created gets
 * `spec.priority` (and `spec.preemptionPolicy`) from its PriorityClass — the named one, else the
 * globalDefault class, else 0 — and is refused when the class does not exist or when it already
 * carries a different value itself. PriorityClass writes are checked so that only one class is
 * the global default.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PriorityClass as PriorityClassV1 } from 'kubernetes-types/scheduling/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../machinery/status.ts';
import type { Backend } from '../../storage/interface.ts';
import type { Store } from '../registry/generic/store.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './interface.ts';
import { resourceIn } from './interface.ts';

type PriorityClass = PriorityClassV1 & KubeObject;

/** Upstream scheduling.DefaultPriorityWhenNoDefaultClassExists. */
export const defaultPriorityWhenNoDefaultClassExists = 0;

/** How the plugin reads classes; the server gives it a storage-backed one. */
export interface PriorityClassLister {
  get(name: string): Promise<PriorityClass | undefined>;
  list(): Promise<PriorityClass[]>;
}

/** Reads PriorityClasses straight from the store (admission runs inside the API server). */
export function storePriorityClassLister(server: {
  store(group: string, version: string, resource: string): Store | undefined;
  readonly config: { backend: Backend };
}): PriorityClassLister {
  const store = () => server.store('scheduling.k8s.io', 'v1', 'priorityclasses');
  return {
    async get(name) {
      const s = store();
      return s ? ((await s.getRaw('', name))?.obj as unknown as PriorityClass | undefined) : undefined;
    },
    async list() {
      const s = store();
      if (!s) return [];
      const { kvs } = await server.config.backend.list(s.codec.prefix());
      return kvs.map((kv) => s.codec.decode(kv) as unknown as PriorityClass);
    },
  };
}

/** As upstream: if a race left several defaults, the one with the lowest value wins. */
export async function defaultPriorityClass(lister: PriorityClassLister): Promise<PriorityClass | undefined> {
  let found: PriorityClass | undefined;
  for (const pc of await lister.list()) if (pc.globalDefault && (!found || pc.value < found.value)) found = pc;
  return found;
}

const podsResource = { group: '', resource: 'pods' };

function forbidden(a: AdmissionAttributes, why: string): StatusError {
  return StatusError.forbidden({ group: a.resource.group, resource: a.resource.resource }, a.name, why);
}

async function admitPod(a: AdmissionAttributes, lister: PriorityClassLister): Promise<void> {
  const pod = a.object as Pod;
  const spec = (pod.spec ??= { containers: [] });
  let priority = defaultPriorityWhenNoDefaultClassExists;
  let policy: string | undefined;
  if (!spec.priorityClassName) {
    const pc = await defaultPriorityClass(lister);
    if (pc) {
      spec.priorityClassName = pc.metadata?.name;
      priority = pc.value;
      policy = pc.preemptionPolicy;
    }
  } else {
    const pc = await lister.get(spec.priorityClassName);
    if (!pc) throw forbidden(a, `no PriorityClass with name ${spec.priorityClassName} was found`);
    priority = pc.value;
    policy = pc.preemptionPolicy;
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority)
    throw forbidden(
      a,
      `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
    );
  spec.priority = priority;
  if (policy) {
    if (spec.preemptionPolicy && spec.preemptionPolicy !== policy)
      throw forbidden(
        a,
        `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`,
      );
    spec.preemptionPolicy = policy;
  }
}

async function validateClass(a: AdmissionAttributes, lister: PriorityClassLister): Promise<void> {
  const pc = a.object as unknown as PriorityClass;
  if (!pc.globalDefault) return;
  const current = await defaultPriorityClass(lister);
  const name = pc.metadata?.name ?? a.name;
  if (current && (a.operation === 'CREATE' || current.metadata?.name !== name))
    throw forbidden(a, `PriorityClass ${current.metadata?.name} is already marked as default. Only one default can exist`);
}

export function priorityAdmission(lister: PriorityClassLister): AdmissionPlugin {
  return {
    name: 'Priority',
    handles: (r) => resourceIn(r, '', 'pods') || resourceIn(r, 'scheduling.k8s.io', 'priorityclasses'),
    async mutate(a) {
      if (a.subresource || a.operation !== 'CREATE' || !a.object) return;
      if (a.resource.group === podsResource.group && a.resource.resource === podsResource.resource) await admitPod(a, lister);
    },
    async validate(a) {
      if (a.subresource || (a.operation !== 'CREATE' && a.operation !== 'UPDATE') || !a.object) return;
      if (a.resource.group === 'scheduling.k8s.io' && a.resource.resource === 'priorityclasses') await validateClass(a, lister);
    },
  };
}
