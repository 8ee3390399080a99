/**
 * @module Pod QoS and the pod-level cgroup, as the upstream kubelet's cgroupfs layout
 * (`pkg/kubelet/cm`): the QoS class (GetPodQOS / ComputePodQOS), the pod cgroup's place under
 * `kubepods` (Guaranteed directly, `burstable/`, `besteffort/`), and its limits
 * (ResourceConfigForPod: shares from summed requests, quota and memory from summed limits only
 * when every container declares one, init containers as max(init, sum(app)), overhead).
 * The runtime writes them (runc: `runtime/runc/pod-cgroups.ts`).
 */
import type { Container, Pod, ResourceRequirements } from 'kubernetes-types/core/v1.js';
import { milliCpuToShares } from './container-resources.ts';
import { computePodQOS, type QOSClass } from '../api/qos.ts';
import { parseQuantity } from './quantity.ts';
import type { ContainerResources } from './runtime/interface.ts';

export { computePodQOS, type QOSClass };

type Quantities = Record<string, string | number | undefined> | undefined;

/** Upstream GetPodQOS: the class the API server recorded, else computed. */
export function podQOSClass(pod: Pod): QOSClass {
  const s = pod.status?.qosClass;
  return s === 'Guaranteed' || s === 'Burstable' || s === 'BestEffort' ? s : computePodQOS(pod);
}

/** cpu in whole millicores (rounded up, as Quantity.MilliValue), memory in bytes (Value). */
interface Amounts {
  cpu: number;
  memory: number;
  /** Keys present in the list (upstream adds overhead only to resources already limited). */
  has: Set<'cpu' | 'memory'>;
}

function amounts(rl: Quantities): Amounts {
  const out: Amounts = { cpu: 0, memory: 0, has: new Set() };
  const cpu = parseQuantity(rl?.cpu);
  if (cpu !== undefined) {
    out.cpu = Math.ceil(Math.round(cpu * 1e9) / 1e6);
    out.has.add('cpu');
  }
  const mem = parseQuantity(rl?.memory);
  if (mem !== undefined) {
    out.memory = Math.ceil(mem);
    out.has.add('memory');
  }
  return out;
}

const add = (a: Amounts, b: Amounts): Amounts => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory, has: new Set([...a.has, ...b.has]) });
const max = (a: Amounts, b: Amounts): Amounts => ({ cpu: Math.max(a.cpu, b.cpu), memory: Math.max(a.memory, b.memory), has: new Set([...a.has, ...b.has]) });
const none = (): Amounts => ({ cpu: 0, memory: 0, has: new Set() });

/**
 * Upstream PodRequests / PodLimits (AggregateContainer*): app containers and restartable
 * (sidecar) init containers add up; each ordinary init container counts with the sidecars
 * started before it; the pod needs the max of both. `each` sees every container's effective
 * list, as upstream's ContainerFn (used to tell whether all containers declare a limit).
 */
function podAggregate(pod: Pod, pick: (r: ResourceRequirements | undefined) => Quantities, each?: (a: Amounts) => void): Amounts {
  let sum = none();
  for (const c of pod.spec?.containers ?? []) {
    const a = amounts(pick(c.resources));
    each?.(a);
    sum = add(sum, a);
  }
  let sidecars = none();
  let init = none();
  for (const c of pod.spec?.initContainers ?? ([] as Container[])) {
    let a = amounts(pick(c.resources));
    if (c.restartPolicy === 'Always') {
      sum = add(sum, a);
      sidecars = add(sidecars, a);
      a = sidecars;
    } else {
      a = add(a, sidecars);
    }
    each?.(a);
    init = max(init, a);
  }
  return max(sum, init);
}

/** Upstream MilliCPUToQuota with the default 100 ms period (min 1 ms); 0 for no limit. */
export const CFS_PERIOD_US = 100_000;
export function milliCpuToQuota(milli: number, period = CFS_PERIOD_US): number {
  if (milli <= 0) return 0;
  return Math.max(1000, Math.floor((milli * period) / 1000));
}

/**
 * Upstream ResourceConfigForPod, in the runtime's terms: cpuShares always (2 for BestEffort),
 * cpuLimitMillis (→ quota with a 100 ms period) and memoryLimitBytes only for Guaranteed pods
 * or when every container declares that limit. Overhead adds to requests, and to limits that
 * are set.
 */
export function podResourceConfig(pod: Pod): ContainerResources {
  const qos = podQOSClass(pod);
  if (qos === 'BestEffort') return { cpuShares: milliCpuToShares(0) };
  let cpuDeclared = true;
  let memoryDeclared = true;
  let reqs = podAggregate(pod, (r) => r?.requests as Quantities);
  let lims = podAggregate(pod, (r) => r?.limits as Quantities, (a) => {
    if (a.cpu === 0) cpuDeclared = false;
    if (a.memory === 0) memoryDeclared = false;
  });
  const overhead = amounts(pod.spec?.overhead as Quantities);
  reqs = add(reqs, overhead);
  lims = {
    cpu: lims.cpu + (lims.has.has('cpu') ? overhead.cpu : 0),
    memory: lims.memory + (lims.has.has('memory') ? overhead.memory : 0),
    has: lims.has,
  };
  const out: ContainerResources = { cpuShares: milliCpuToShares(reqs.cpu) };
  if ((qos === 'Guaranteed' || cpuDeclared) && lims.cpu > 0) out.cpuLimitMillis = lims.cpu;
  if ((qos === 'Guaranteed' || memoryDeclared) && lims.memory > 0) out.memoryLimitBytes = lims.memory;
  return out;
}

/**
 * Where a pod's cgroup lives: `/skiff/<node>/kubepods[/burstable|/besteffort]/pod<uid>`.
 * Rooted per node because several kubelets share one machine in tests (one per bridge);
 * upstream's cgroupfs names are `kubepods/…/pod<uid>` under the node's root.
 */
export function podCgroupParent(nodeName: string, pod: Pod): string {
  const qos = podQOSClass(pod);
  const tier = qos === 'Guaranteed' ? '' : `/${qos.toLowerCase()}`;
  return `/skiff/${nodeName}/kubepods${tier}/pod${pod.metadata?.uid ?? ''}`;
}

/** The sandbox's cgroup fields: parent path and the pod-level limits. */
export function podCgroupConfig(nodeName: string, pod: Pod): { cgroupParent: string; resources: ContainerResources } {
  return { cgroupParent: podCgroupParent(nodeName, pod), resources: podResourceConfig(pod) };
}
