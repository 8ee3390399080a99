/**
 * @module PodTopologySpread (PreFilter, Filter, PreScore, Score): spreads matching pods over
 * topology domains. DoNotSchedule constraints filter (skew = matches in the node's domain +
 * self − global minimum, which counts as 0 while fewer than minDomains domains exist);
 * ScheduleAnyway constraints — and the system defaults (hostname skew 3, zone skew 5) for pods
 * that have a controller and no constraints of their own — score.
 */
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { selectorFromLabelSelector, selectorFromSet, type LabelRequirements } from '../../machinery/labels.ts';
import type { CycleState, StateData } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { NodeMatcher } from '../framework/node-selector.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import type { Snapshot } from '../framework/snapshot.ts';
import { findUntolerated } from '../framework/taints.ts';
import { maxNodeScore, skipStatus, unresolvable, unschedulable, type FilterPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin, type Status } from '../framework/types.ts';
import { requiredNodeMatchers } from './node-affinity.ts';

export const errReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const errReasonNodeLabelNotMatch = errReasonConstraintsNotMatch + ' (missing required label)';

const preFilterKey = 'PreFilterPodTopologySpread';
const hardEffects = ['NoSchedule', 'NoExecute'];
const preScoreKey = 'PreScorePodTopologySpread';

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelRequirements;
  minDomains: number;
  honorTaints: boolean;
  honorAffinity: boolean;
}

const systemDefaults: TopologySpreadConstraint[] = [
  { maxSkew: 3, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
  { maxSkew: 5, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
];

function compile(pod: PodInfo, list: readonly TopologySpreadConstraint[], defaultSelector?: LabelRequirements): Constraint[] {
  return list.map((c) => {
    let selector = defaultSelector ?? selectorFromLabelSelector(c.labelSelector);
    if (c.matchLabelKeys?.length) {
      const extra: Record<string, string> = {};
      for (const k of c.matchLabelKeys) if (pod.labels[k] !== undefined) extra[k] = pod.labels[k]!;
      const base = c.labelSelector ?? {};
      selector = selectorFromLabelSelector({ ...base, matchLabels: { ...(base.matchLabels ?? {}), ...extra } });
    }
    return {
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      honorTaints: c.nodeTaintsPolicy === 'Honor',
      honorAffinity: c.nodeAffinityPolicy !== 'Ignore',
    };
  });
}

/** Counts pods in the pod's namespace that match each constraint, per domain of each node. */
function countMatching(pod: PodInfo, cs: readonly Constraint[], nodes: Iterable<NodeInfo>, affinity: NodeMatcher[]): Map<string, number>[] {
  const counts = cs.map(() => new Map<string, number>());
  for (const n of nodes) {
    if (!cs.every((c) => n.labels[c.topologyKey] !== undefined)) continue;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i]!;
      if (c.honorAffinity && !affinity.every((m) => m(n.labels, n.name))) continue;
      if (c.honorTaints && findUntolerated(n.taints, pod.pod.spec?.tolerations ?? [], hardEffects)) continue;
      const v = n.labels[c.topologyKey]!;
      let matched = 0;
      for (const p of n.pods.values()) if (p.namespace === pod.namespace && !p.pod.metadata?.deletionTimestamp && c.selector.matches(p.labels)) matched++;
      counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + matched);
    }
  }
  return counts;
}

class FilterState implements StateData {
  constructor(
    readonly constraints: Constraint[],
    readonly counts: Map<string, number>[],
  ) {}
  clone() {
    return new FilterState(this.constraints, this.counts.map((m) => new Map(m)));
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

class ScoreState implements StateData {
  constructor(
    readonly constraints: Constraint[],
    readonly counts: Map<string, number>[],
    readonly weights: number[],
  ) {}
  clone() {
    return this;
  }
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  static readonly pluginName = 'PodTopologySpread';
  readonly name = PodTopologySpread.pluginName;
  private readonly labelMissing = unresolvable(PodTopologySpread.pluginName, errReasonNodeLabelNotMatch);
  private readonly skewed = unschedulable(PodTopologySpread.pluginName, errReasonConstraintsNotMatch);

  constructor(private readonly snapshot: Snapshot) {}

  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status | null {
    const hard = (pod.pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
    if (hard.length === 0) return skipStatus;
    const cs = compile(pod, hard);
    state.write(preFilterKey, new FilterState(cs, countMatching(pod, cs, snapshot.nodes, requiredNodeMatchers(pod))));
    return null;
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
    this.adjust(state, pod, added, node, 1);
  }

  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
    this.adjust(state, pod, removed, node, -1);
  }

  private adjust(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, sign: 1 | -1): void {
    const s = state.read<FilterState>(preFilterKey);
    if (!s || other.namespace !== pod.namespace) return;
    s.constraints.forEach((c, i) => {
      const v = node.labels[c.topologyKey];
      if (v === undefined || !s.counts[i]!.has(v) || !c.selector.matches(other.labels)) return;
      s.counts[i]!.set(v, s.counts[i]!.get(v)! + sign);
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
    // Only nodes that carry every key take part (upstream requires all keys when constraints are explicit).
    const present = cs.filter((c) => nodes.some((n) => n.labels[c.topologyKey] !== undefined));
    if (present.length === 0) return skipStatus;
    const counts = countMatching(pod, present, own.length ? this.snapshot.nodes : nodes, requiredNodeMatchers(pod));
    const weights = present.map((_, i) => Math.log(counts[i]!.size + 2));
    state.write(preScoreKey, new ScoreState(present, counts, weights));
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<ScoreState>(preScoreKey);
    if (!s) return 0;
    let score = 0;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const v = node.labels[c.topologyKey];
      if (v === undefined) return -1; // ignored node: normalised to 0
      score += (s.counts[i]!.get(v) ?? 0) * s.weights[i]! + (c.maxSkew - 1);
    }
    return Math.round(score);
  }

  normalizeScore(state: CycleState, _p: PodInfo, scores: Float64Array): void {
    if (!state.read<ScoreState>(preScoreKey)) return;
    let min = Infinity;
    let max = 0;
    for (const s of scores) {
      if (s < 0) continue;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (s < 0) scores[i] = 0;
      else if (max === 0) scores[i] = maxNodeScore;
      else scores[i] = Math.trunc((maxNodeScore * (max + min - s)) / max);
    }
  }
}
