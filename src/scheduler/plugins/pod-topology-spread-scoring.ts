/**
 * @module PodTopologySpread's PreScore/Score/NormalizeScore (upstream podtopologyspread/
 * scoring.go). PreScore counts matching pods only for the topology pairs the filtered nodes
 * carry, and never for the hostname key: each scored node counts its own pods in Score. So a
 * cycle costs O(pods on the scored nodes) plus, for other keys such as zone, one cached count
 * per node — not a walk over every pod in the cluster.
 */
import type { StateData } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { maxNodeScore } from '../framework/types.ts';
import { hasAllKeys, Inclusion, labelHostname, type Constraint, type MatchCounter } from './pod-topology-spread-common.ts';
import { requiredNodeMatchers } from './node-affinity.ts';

/** Marks a node Score ignores (missing a required key); NormalizeScore turns it into 0. */
export const invalidScore = -1;

export class ScoreState implements StateData {
  constructor(
    readonly constraints: readonly Constraint[],
    /** Nodes must carry every key to be scored (explicit constraints, not the system defaults). */
    readonly requireAll: boolean,
    /** Per constraint: topology value → matching pods; empty for the hostname key. */
    readonly counts: readonly Map<string, number>[],
    readonly weights: readonly number[],
  ) {}
  clone() {
    return this;
  }
}

/** upstream topologyNormalizingWeight: log(size + 2), so small topologies are not watered down. */
const normalizingWeight = (size: number) => Math.log(size + 2);

/**
 * Upstream initPreScoreState + PreScore. A filtered node without every key is ignored when
 * `requireAll`; otherwise a missing key reads as the value "" (as upstream's map lookup does),
 * which counts as a domain for the weight but is only read by a node whose label is literally
 * "" — so pods are counted for "" only when such a node was filtered.
 */
export function buildScoreState(pod: PodInfo, cs: readonly Constraint[], requireAll: boolean, filtered: readonly NodeInfo[], allNodes: readonly NodeInfo[], counter: MatchCounter): ScoreState {
  const counts = cs.map(() => new Map<string, number>());
  const countEmpty = cs.map(() => false);
  let scored = 0;
  for (const n of filtered) {
    if (requireAll && !hasAllKeys(n.labels, cs)) continue;
    scored++;
    for (let i = 0; i < cs.length; i++) {
      const key = cs[i]!.topologyKey;
      if (key === labelHostname) continue; // counted per node in Score
      const raw = n.labels[key];
      if (raw === '') countEmpty[i] = true;
      counts[i]!.set(raw ?? '', 0);
    }
  }
  const weights = cs.map((c, i) => normalizingWeight(c.topologyKey === labelHostname ? scored : counts[i]!.size));
  // Nothing to count when every non-hostname key's only pair is the unread "" (no node has a zone label, say).
  const countable = cs.some((c, i) => c.topologyKey !== labelHostname && counts[i]!.size > (counts[i]!.has('') && !countEmpty[i] ? 1 : 0));
  if (countable) {
    const inc = new Inclusion(pod, requiredNodeMatchers(pod));
    for (const n of allNodes) {
      if (requireAll && !hasAllKeys(n.labels, cs)) continue;
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]!;
        const m = counts[i]!;
        if (m.size === 0) continue;
        const v = n.labels[c.topologyKey] ?? '';
        const cur = m.get(v);
        // Only pairs present on the filtered nodes are counted.
        if (cur === undefined || (v === '' && !countEmpty[i]) || !inc.includes(c, n)) continue;
        m.set(v, cur + counter.count(n, pod.namespace, c));
      }
    }
  }
  return new ScoreState(cs, requireAll, counts, weights);
}

/** upstream Score: the sum over constraints of count × weight + (maxSkew − 1), rounded. */
export function scoreNode(s: ScoreState, pod: PodInfo, n: NodeInfo, counter: MatchCounter): number {
  if (s.requireAll && !hasAllKeys(n.labels, s.constraints)) return invalidScore;
  let score = 0;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    const v = n.labels[c.topologyKey];
    if (v === undefined) continue;
    const cnt = c.topologyKey === labelHostname ? counter.count(n, pod.namespace, c) : (s.counts[i]!.get(v) ?? 0);
    score += cnt * s.weights[i]! + (c.maxSkew - 1);
  }
  return Math.round(score);
}

/** upstream NormalizeScore: fewer matching pods → higher score; ignored nodes → 0. */
export function normalize(scores: Float64Array): void {
  let min = Infinity;
  let max = 0;
  for (const s of scores) {
    if (s === invalidScore) continue;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (s === invalidScore) scores[i] = 0;
    else if (max === 0) scores[i] = maxNodeScore;
    else scores[i] = Math.trunc((maxNodeScore * (max + min - s)) / max);
  }
}
