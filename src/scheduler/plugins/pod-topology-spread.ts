/**
 * @module PodTopologySpread (PreFilter, Filter, PreScore, Score): spreads matching pods over
 * topology domains. DoNotSchedule constraints filter (skew = matches in the node's domain +
 * self − global minimum, which counts as 0 while fewer than minDomains domains exist);
 * ScheduleAnyway constraints — and the system defaults (hostname skew 3, zone skew 5) for pods
 * that have a controller and no constraints of their own — score (see
 * pod-topology-spread-scoring.ts for how scoring stays cheap on big clusters).
 */
import { selectorFromSet } from '../../machinery/labels.ts';
import type { CycleState, StateData } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import type { Snapshot } from '../framework/snapshot.ts';
import { skipStatus, unresolvable, unschedulable, type FilterPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin, type Status } from '../framework/types.ts';
import { requiredNodeMatchers } from './node-affinity.ts';
import { compile, hasAllKeys, Inclusion, MatchCounter, systemDefaults, type Constraint } from './pod-topology-spread-common.ts';
import { buildScoreState, normalize, scoreNode, type ScoreState } from './pod-topology-spread-scoring.ts';

export const errReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const errReasonNodeLabelNotMatch = errReasonConstraintsNotMatch + ' (missing required label)';

const preFilterKey = 'PreFilterPodTopologySpread';
const preScoreKey = 'PreScorePodTopologySpread';

class FilterState implements StateData {
  constructor(
    readonly constraints: Constraint[],
    readonly counts: Map<string, number>[],
    /** Re-checks node inclusion policies when preemption adds or removes pods. */
    readonly inclusion: Inclusion,
  ) {}
  clone() {
    return new FilterState(this.constraints, this.counts.map((m) => new Map(m)), this.inclusion);
  }
  minMatch(i: number): number {
    const c = this.constraints[i]!;
    const m = this.counts[i]!;
    if (m.size < c.minDomains) return 0;
    let min = Infinity;
    for (const v of m.values()) if (v < min) min = v;
    return min === Infinity ? 0 : min;
  }
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  static readonly pluginName = 'PodTopologySpread';
  readonly name = PodTopologySpread.pluginName;
  private readonly labelMissing = unresolvable(PodTopologySpread.pluginName, errReasonNodeLabelNotMatch);
  private readonly skewed = unschedulable(PodTopologySpread.pluginName, errReasonConstraintsNotMatch);
  private readonly counter = new MatchCounter();

  constructor(private readonly snapshot: Snapshot) {}

  /** upstream calPreFilterState: every node with all the keys, per its inclusion policies. */
  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status | null {
    const hard = (pod.pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
    if (hard.length === 0) return skipStatus;
    const cs = compile(pod, hard);
    const inc = new Inclusion(pod, requiredNodeMatchers(pod));
    const counts = cs.map(() => new Map<string, number>());
    for (const n of snapshot.nodes) {
      if (!hasAllKeys(n.labels, cs)) continue;
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]!;
        if (!inc.includes(c, n)) continue;
        const v = n.labels[c.topologyKey]!;
        counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + this.counter.count(n, pod.namespace, c));
      }
    }
    state.write(preFilterKey, new FilterState(cs, counts, inc));
    return null;
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
    this.adjust(state, pod, added, node, 1);
  }

  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
    this.adjust(state, pod, removed, node, -1);
  }

  /** upstream updateWithPod. */
  private adjust(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, sign: 1 | -1): void {
    const s = state.read<FilterState>(preFilterKey);
    if (!s || other.namespace !== pod.namespace || !hasAllKeys(node.labels, s.constraints)) return;
    s.constraints.forEach((c, i) => {
      if (!c.selector.matches(other.labels) || !s.inclusion.includes(c, node)) return;
      const v = node.labels[c.topologyKey]!;
      s.counts[i]!.set(v, (s.counts[i]!.get(v) ?? 0) + sign);
    });
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const s = state.read<FilterState>(preFilterKey);
    if (!s) return null;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const v = node.labels[c.topologyKey];
      if (v === undefined) return this.labelMissing;
      const self = c.selector.matches(pod.labels) ? 1 : 0;
      const skew = (s.counts[i]!.get(v) ?? 0) + self - s.minMatch(i);
      if (skew > c.maxSkew) return this.skewed;
    }
    return null;
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | null {
    if (this.snapshot.numNodes === 0) return skipStatus;
    const own = pod.pod.spec?.topologySpreadConstraints ?? [];
    let cs: Constraint[];
    if (own.length) cs = compile(pod, own.filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway'));
    else if (pod.pod.metadata?.ownerReferences?.some((o) => o.controller)) {
      // Upstream derives the default selector from the Services/ReplicaSets/StatefulSets that
      // select the pod; the pod's own labels select the same siblings for the common case.
      if (Object.keys(pod.labels).length === 0) return skipStatus;
      cs = compile(pod, systemDefaults, selectorFromSet(pod.labels));
    } else cs = [];
    if (cs.length === 0) return skipStatus;
    // Only explicit constraints require every key on a node: with the system defaults, nodes
    // without a zone label still get hostname spreading.
    state.write(preScoreKey, buildScoreState(pod, cs, own.length > 0, nodes, this.snapshot.nodes, this.counter));
    return null;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const s = state.read<ScoreState>(preScoreKey);
    return s ? scoreNode(s, pod, node, this.counter) : 0;
  }

  normalizeScore(state: CycleState, _p: PodInfo, scores: Float64Array): void {
    if (state.read<ScoreState>(preScoreKey)) normalize(scores);
  }
}
