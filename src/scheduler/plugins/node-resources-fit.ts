/**
 * @module NodeResourcesFit (Filter, Score): the pod's requests must fit what the node has
 * left (cpu, memory, ephemeral-storage, extended resources, pod count); scoring is the
 * LeastAllocated strategy over cpu and memory (weight 1 each) on non-zero requests.
 */
import type { CycleState } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { maxNodeScore, unschedulable, type FilterPlugin, type ScorePlugin, type Status } from '../framework/types.ts';

export class NodeResourcesFit implements FilterPlugin, ScorePlugin {
  static readonly pluginName = 'NodeResourcesFit';
  readonly name = NodeResourcesFit.pluginName;
  private readonly cache = new Map<string, Status>();

  /** Statuses are shared per reason combination: most failures are the same few. */
  private status(reasons: string[]): Status {
    const k = reasons.join('\u0000');
    let s = this.cache.get(k);
    if (!s) this.cache.set(k, (s = unschedulable(this.name, ...reasons)));
    return s;
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const reasons = insufficientResources(pod, node);
    return reasons ? this.status(reasons) : null;
  }

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const cpu = leastRequested(node.nonZeroCPU + pod.nonZeroCPU, node.allocMilliCPU);
    const mem = leastRequested(node.nonZeroMemory + pod.nonZeroMemory, node.allocMemory);
    return Math.trunc((cpu + mem) / 2);
  }

  scoreAll(s: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], out: Float64Array): void {
    for (let i = 0; i < nodes.length; i++) out[i] = this.score(s, pod, nodes[i]!);
  }
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * maxNodeScore) / capacity);
}

/**
 * Upstream fitsRequest: the reasons the pod does not fit, or undefined when it does. Runs
 * for each node visited in each cycle: cpu, memory and pod count come from NodeInfo's own
 * copies (one object read); ephemeral storage and extended resources only when requested.
 */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] | undefined {
  let reasons: string[] | undefined;
  const r = pod.requests;
  if (node.numPods + 1 > node.allowedPods) (reasons ??= []).push('Too many pods');
  if (r.milliCPU > 0 && r.milliCPU > node.allocMilliCPU - node.reqMilliCPU) (reasons ??= []).push('Insufficient cpu');
  if (r.memory > 0 && r.memory > node.allocMemory - node.reqMemory) (reasons ??= []).push('Insufficient memory');
  if (r.ephemeralStorage > 0 && r.ephemeralStorage > node.allocatable.ephemeralStorage - node.requested.ephemeralStorage) (reasons ??= []).push('Insufficient ephemeral-storage');
  if (!r.scalar) return reasons;
  const a = node.allocatable;
  const used = node.requested;
  for (const [name, q] of r.scalar) {
    if (q === 0) continue;
    if (q > (a.scalar?.get(name) ?? 0) - (used.scalar?.get(name) ?? 0)) (reasons ??= []).push(`Insufficient ${name}`);
  }
  return reasons;
}
