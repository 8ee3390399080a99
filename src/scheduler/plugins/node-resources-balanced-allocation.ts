/**
 * @module NodeResourcesBalancedAllocation (PreScore, Score): favours nodes whose cpu and
 * memory would be used in similar fractions after placing the pod: score = (1 - std) × 100.
 * Skipped for pods that request neither (best-effort pods do not unbalance a node).
 */
import type { CycleState } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { maxNodeScore, skipStatus, type PreScorePlugin, type ScorePlugin, type Status } from '../framework/types.ts';

export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  static readonly pluginName = 'NodeResourcesBalancedAllocation';
  readonly name = NodeResourcesBalancedAllocation.pluginName;

  preScore(_s: CycleState, pod: PodInfo): Status | null {
    return pod.requests.milliCPU === 0 && pod.requests.memory === 0 ? skipStatus : null;
  }

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    // Runs for every feasible node of every pod: no per-call allocation.
    const allocCPU = node.allocMilliCPU;
    const allocMem = node.allocMemory;
    if (allocCPU <= 0 || allocMem <= 0) return maxNodeScore; // fewer than two fractions: std 0
    const cpu = Math.min(1, (node.reqMilliCPU + pod.requests.milliCPU) / allocCPU);
    const mem = Math.min(1, (node.reqMemory + pod.requests.memory) / allocMem);
    return Math.trunc((1 - Math.abs((cpu - mem) / 2)) * maxNodeScore);
  }

  scoreAll(s: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], out: Float64Array): void {
    for (let i = 0; i < nodes.length; i++) out[i] = this.score(s, pod, nodes[i]!);
  }
}
