/**
 * @module NodeAffinity (PreFilter, Filter, PreScore, Score): spec.nodeSelector and required
 * node affinity must both match; each matching preferred term adds its weight to the score.
 */
import type { CycleState, StateData } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { compileLabelSet, compileNodeSelector, compilePreferred, type NodeMatcher, type WeightedMatcher } from '../framework/node-selector.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { skipStatus, unresolvable, type FilterPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin, type Status } from '../framework/types.ts';
import { defaultNormalizeScore } from './normalize.ts';

export const errReasonPod = "node(s) didn't match Pod's node affinity/selector";
const preFilterKey = 'PreFilterNodeAffinity';
const preScoreKey = 'PreScoreNodeAffinity';

class Required implements StateData {
  constructor(readonly matchers: NodeMatcher[]) {}
  clone() {
    return this;
  }
}

class Preferred implements StateData {
  constructor(readonly terms: WeightedMatcher[]) {}
  clone() {
    return this;
  }
}

/** The pod's required node constraints as matchers (nodeSelector and required affinity). */
export function requiredNodeMatchers(pod: PodInfo): NodeMatcher[] {
  const out: NodeMatcher[] = [];
  const sel = pod.pod.spec?.nodeSelector;
  if (sel && Object.keys(sel).length) out.push(compileLabelSet(sel));
  const req = pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req) out.push(compileNodeSelector(req));
  return out;
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  static readonly pluginName = 'NodeAffinity';
  readonly name = NodeAffinity.pluginName;
  private readonly rejected = unresolvable(NodeAffinity.pluginName, errReasonPod);

  preFilter(state: CycleState, pod: PodInfo): Status | null {
    const matchers = requiredNodeMatchers(pod);
    if (matchers.length === 0) return skipStatus;
    state.write(preFilterKey, new Required(matchers));
    return null;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const matchers = state.read<Required>(preFilterKey)?.matchers ?? requiredNodeMatchers(pod);
    for (const m of matchers) if (!m(node.labels, node.name)) return this.rejected;
    return null;
  }

  preScore(state: CycleState, pod: PodInfo): Status | null {
    const terms = compilePreferred(pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []);
    if (terms.length === 0) return skipStatus;
    state.write(preScoreKey, new Preferred(terms));
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    let s = 0;
    for (const t of state.read<Preferred>(preScoreKey)?.terms ?? []) if (t.matches(node.labels, node.name)) s += t.weight;
    return s;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: Float64Array): void {
    defaultNormalizeScore(scores, false);
  }
}
