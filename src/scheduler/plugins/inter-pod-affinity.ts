/**
 * @module InterPodAffinity (PreFilter, Filter, PreScore, Score): required pod affinity and
 * anti-affinity by topology domain — including existing pods' anti-affinity against the
 * incoming pod — and preferred terms as scores. PreFilter counts matching pods per
 * topology pair once per cycle; Filter then only looks up the node's pairs.
 */
import type { CycleState, StateData } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { termMatches, type AffinityTerm, type NamespaceLabels, type PodInfo } from '../framework/pod-info.ts';
import type { Snapshot } from '../framework/snapshot.ts';
import { maxNodeScore, skipStatus, unresolvable, unschedulable, type FilterPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin, type Status } from '../framework/types.ts';

export const errReasonAffinity = "node(s) didn't match pod affinity rules";
export const errReasonAntiAffinity = "node(s) didn't match pod anti-affinity rules";
export const errReasonExistingAntiAffinity = "node(s) didn't satisfy existing pods anti-affinity rules";

const preFilterKey = 'PreFilterInterPodAffinity';
const preScoreKey = 'PreScoreInterPodAffinity';
/** Upstream's default hardPodAffinityWeight. */
const hardPodAffinityWeight = 1;

type Counts = Map<string, number>;
const pair = (key: string, value: string) => `${key}\u0000${value}`;

function bump(m: Counts, k: string, by: number): void {
  const v = (m.get(k) ?? 0) + by;
  if (v === 0) m.delete(k);
  else m.set(k, v);
}

class PreFilterState implements StateData {
  constructor(
    readonly existingAntiAffinity: Counts,
    readonly affinity: Counts,
    readonly antiAffinity: Counts,
    readonly nsLabels: NamespaceLabels,
  ) {}
  clone() {
    return new PreFilterState(new Map(this.existingAntiAffinity), new Map(this.affinity), new Map(this.antiAffinity), this.nsLabels);
  }
}

function matchesAll(terms: readonly AffinityTerm[], p: PodInfo, ns: NamespaceLabels): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatches(t, p, ns)) return false;
  return true;
}

/** Adds (sign 1) or removes (-1) one existing pod's contribution to the counts. */
function account(s: PreFilterState, pod: PodInfo, existing: PodInfo, node: NodeInfo, sign: 1 | -1): void {
  const labels = node.labels;
  for (const t of existing.requiredAntiAffinity) {
    const v = labels[t.topologyKey];
    if (v !== undefined && termMatches(t, pod, s.nsLabels)) bump(s.existingAntiAffinity, pair(t.topologyKey, v), sign);
  }
  if (pod.requiredAffinity.length && matchesAll(pod.requiredAffinity, existing, s.nsLabels))
    for (const t of pod.requiredAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined) bump(s.affinity, pair(t.topologyKey, v), sign);
    }
  for (const t of pod.requiredAntiAffinity) {
    const v = labels[t.topologyKey];
    if (v !== undefined && termMatches(t, existing, s.nsLabels)) bump(s.antiAffinity, pair(t.topologyKey, v), sign);
  }
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  static readonly pluginName = 'InterPodAffinity';
  readonly name = InterPodAffinity.pluginName;
  private readonly affinityRejected = unresolvable(InterPodAffinity.pluginName, errReasonAffinity);
  private readonly antiRejected = unschedulable(InterPodAffinity.pluginName, errReasonAntiAffinity);
  private readonly existingRejected = unschedulable(InterPodAffinity.pluginName, errReasonExistingAntiAffinity);

  constructor(private readonly snapshot: Snapshot) {}

  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status | null {
    const own = pod.requiredAffinity.length + pod.requiredAntiAffinity.length > 0;
    if (!own && snapshot.havePodsWithRequiredAntiAffinity.size === 0) return skipStatus;
    const s = new PreFilterState(new Map(), new Map(), new Map(), snapshot.namespaceLabels);
    if (own) {
      for (const n of snapshot.nodes) for (const e of n.pods.values()) account(s, pod, e, n, 1);
    } else {
      // Only existing pods' anti-affinity can reject this pod: visit just those pods.
      for (const n of snapshot.havePodsWithRequiredAntiAffinity)
        for (const e of n.podsWithRequiredAntiAffinity.values())
          for (const t of e.requiredAntiAffinity) {
            const v = n.labels[t.topologyKey];
            if (v !== undefined && termMatches(t, pod, s.nsLabels)) bump(s.existingAntiAffinity, pair(t.topologyKey, v), 1);
          }
    }
    state.write(preFilterKey, s);
    return null;
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
    const s = state.read<PreFilterState>(preFilterKey);
    if (s) account(s, pod, added, node, 1);
  }

  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
    const s = state.read<PreFilterState>(preFilterKey);
    if (s) account(s, pod, removed, node, -1);
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const s = state.read<PreFilterState>(preFilterKey);
    if (!s) return null;
    if (!satisfiesAffinity(s, pod, node)) return this.affinityRejected;
    for (const t of pod.requiredAntiAffinity) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && (s.antiAffinity.get(pair(t.topologyKey, v)) ?? 0) > 0) return this.antiRejected;
    }
    if (s.existingAntiAffinity.size > 0)
      for (const k in node.labels) if ((s.existingAntiAffinity.get(pair(k, node.labels[k]!)) ?? 0) > 0) return this.existingRejected;
    return null;
  }

  preScore(state: CycleState, pod: PodInfo): Status | null {
    const own = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
    if (!own && this.snapshot.havePodsWithAffinity.size === 0) return skipStatus;
    const scores = new Map<string, Map<string, number>>();
    const add = (key: string, node: NodeInfo, w: number) => {
      const v = node.labels[key];
      if (v === undefined || w === 0) return;
      let m = scores.get(key);
      if (!m) scores.set(key, (m = new Map()));
      m.set(v, (m.get(v) ?? 0) + w);
    };
    const ns = this.snapshot.namespaceLabels;
    const visit = (node: NodeInfo, e: PodInfo) => {
      for (const t of pod.preferredAffinity) if (termMatches(t, e, ns)) add(t.topologyKey, node, t.weight);
      for (const t of pod.preferredAntiAffinity) if (termMatches(t, e, ns)) add(t.topologyKey, node, -t.weight);
      for (const t of e.requiredAffinity) if (termMatches(t, pod, ns)) add(t.topologyKey, node, hardPodAffinityWeight);
      for (const t of e.preferredAffinity) if (termMatches(t, pod, ns)) add(t.topologyKey, node, t.weight);
      for (const t of e.preferredAntiAffinity) if (termMatches(t, pod, ns)) add(t.topologyKey, node, -t.weight);
    };
    if (own) for (const n of this.snapshot.nodes) for (const e of n.pods.values()) visit(n, e);
    else for (const n of this.snapshot.havePodsWithAffinity) for (const e of n.podsWithAffinity.values()) visit(n, e);
    if (scores.size === 0) return skipStatus;
    state.write(preScoreKey, new ScoreState(scores));
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<ScoreState>(preScoreKey);
    if (!s) return 0;
    let total = 0;
    for (const [key, values] of s.scores) {
      const v = node.labels[key];
      if (v !== undefined) total += values.get(v) ?? 0;
    }
    return total;
  }

  normalizeScore(state: CycleState, _p: PodInfo, scores: Float64Array): void {
    if (!state.read<ScoreState>(preScoreKey)) return;
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc(maxNodeScore * ((scores[i]! - min) / diff)) : 0;
  }
}

class ScoreState implements StateData {
  constructor(readonly scores: Map<string, Map<string, number>>) {}
  clone() {
    return this;
  }
}

function satisfiesAffinity(s: PreFilterState, pod: PodInfo, node: NodeInfo): boolean {
  if (pod.requiredAffinity.length === 0) return true;
  let podsExist = true;
  for (const t of pod.requiredAffinity) {
    const v = node.labels[t.topologyKey];
    if (v === undefined) return false;
    if ((s.affinity.get(pair(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  // The first pod of a group with affinity to itself may go anywhere its terms allow.
  if (!podsExist) return s.affinity.size === 0 && matchesAll(pod.requiredAffinity, pod, s.nsLabels);
  return true;
}
