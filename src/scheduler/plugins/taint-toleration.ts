/**
 * @module TaintToleration (Filter, PreScore, Score): NoSchedule and NoExecute taints must be
 * tolerated; each untolerated PreferNoSchedule taint lowers the node's score (normalised
 * in reverse, so the node with the most such taints scores 0).
 */
import type { Toleration } from 'kubernetes-types/core/v1.js';
import { CycleState, type StateData } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { findUntolerated, toleratedBy } from '../framework/taints.ts';
import { skipStatus, unresolvable, type FilterPlugin, type PreScorePlugin, type ScorePlugin, type Status } from '../framework/types.ts';
import { defaultNormalizeScore } from './normalize.ts';

const filterEffects = ['NoSchedule', 'NoExecute'];
const hasPreferNoSchedule = (n: NodeInfo) => n.taints.length > 0 && n.taints.some((t) => t.effect === 'PreferNoSchedule');
const stateKey = 'PreScoreTaintToleration';

class PreScoreState implements StateData {
  constructor(readonly tolerations: readonly Toleration[]) {}
  clone() {
    return this;
  }
}

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  static readonly pluginName = 'TaintToleration';
  readonly name = TaintToleration.pluginName;

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    if (node.taints.length === 0) return null;
    const taint = findUntolerated(node.taints, pod.pod.spec?.tolerations ?? [], filterEffects);
    if (!taint) return null;
    return unresolvable(this.name, `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | null {
    // No feasible node has a PreferNoSchedule taint: every node scores the same (100 after
    // the reverse normalisation), which cannot change the ranking — skip the per-node work.
    if (!nodes.some(hasPreferNoSchedule)) return skipStatus;
    const tolerations = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(stateKey, new PreScoreState(tolerations));
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    if (node.taints.length === 0) return 0;
    const tolerations = state.read<PreScoreState>(stateKey)?.tolerations ?? [];
    let n = 0;
    for (const taint of node.taints) if (taint.effect === 'PreferNoSchedule' && !toleratedBy(taint, tolerations)) n++;
    return n;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: Float64Array): void {
    defaultNormalizeScore(scores, true);
  }
}
