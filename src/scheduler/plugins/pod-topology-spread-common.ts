/**
 * @module PodTopologySpread's shared pieces (upstream podtopologyspread/common.go): constraints
 * compiled from the pod spec, the system default constraints, node inclusion policies, and a
 * per-node cache of "how many pods here match this selector" that both PreFilter and PreScore
 * read, so a node that did not change since the last cycle is not matched pod by pod again.
 */
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { selectorFromLabelSelector, type LabelRequirements } from '../../machinery/labels.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { NodeMatcher } from '../framework/node-selector.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { findUntolerated } from '../framework/taints.ts';

export const labelHostname = 'kubernetes.io/hostname';
const hardEffects = ['NoSchedule', 'NoExecute'];

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelRequirements;
  minDomains: number;
  honorTaints: boolean;
  honorAffinity: boolean;
  /** Identifies (namespace, selector) for the match-count cache; equal keys match the same pods. */
  cacheKey: string;
}

/** The scheduler's system-defaulted constraints (upstream systemDefaultConstraints). */
export const systemDefaults: readonly TopologySpreadConstraint[] = [
  { maxSkew: 3, topologyKey: labelHostname, whenUnsatisfiable: 'ScheduleAnyway' },
  { maxSkew: 5, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
];

const selectorKey = (ns: string, s: LabelRequirements) => `${ns}\n${s.nothing ? '!' : ''}${JSON.stringify(s.requirements)}`;

/** Compiles the constraints (already filtered by whenUnsatisfiable); `defaultSelector` replaces every selector. */
export function compile(pod: PodInfo, list: readonly TopologySpreadConstraint[], defaultSelector?: LabelRequirements): Constraint[] {
  return list.map((c) => {
    let selector = defaultSelector ?? selectorFromLabelSelector(c.labelSelector);
    if (c.matchLabelKeys?.length) {
      const extra: Record<string, string> = {};
      for (const k of c.matchLabelKeys) if (pod.labels[k] !== undefined) extra[k] = pod.labels[k]!;
      // Upstream merges only when the pod has at least one of the keys; a nil selector then
      // contributes no requirements.
      if (Object.keys(extra).length) {
        const base = c.labelSelector ?? {};
        selector = selectorFromLabelSelector({ ...base, matchLabels: { ...(base.matchLabels ?? {}), ...extra } });
      }
    }
    return {
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      honorTaints: c.nodeTaintsPolicy === 'Honor',
      honorAffinity: c.nodeAffinityPolicy !== 'Ignore',
      cacheKey: selectorKey(pod.namespace, selector),
    };
  });
}

/** Whether the node carries every constraint's topology key (nodeLabelsMatchSpreadConstraints). */
export function hasAllKeys(labels: Readonly<Record<string, string>>, cs: readonly Constraint[]): boolean {
  for (const c of cs) if (labels[c.topologyKey] === undefined) return false;
  return true;
}

/** Per-pod context for node inclusion policies: the required node affinity, matched once per node. */
export class Inclusion {
  private lastNode: NodeInfo | undefined;
  private lastMatch = true;
  constructor(
    private readonly pod: PodInfo,
    private readonly affinity: readonly NodeMatcher[],
  ) {}

  /** Upstream matchNodeInclusionPolicies: nodeAffinityPolicy Honor and nodeTaintsPolicy Honor. */
  includes(c: Constraint, n: NodeInfo): boolean {
    if (c.honorAffinity && this.affinity.length) {
      if (this.lastNode !== n) {
        this.lastNode = n;
        this.lastMatch = this.affinity.every((m) => m(n.labels, n.name));
      }
      if (!this.lastMatch) return false;
    }
    return !(c.honorTaints && findUntolerated(n.taints, this.pod.pod.spec?.tolerations ?? [], hardEffects));
  }
}

interface CountEntry {
  generation: number;
  count: number;
}

/** Distinct selectors remembered per node before the node's entries are dropped (bounds memory). */
const maxSelectorsPerNode = 64;

/**
 * Matching pods per node, cached by (namespace, selector) and the node's generation, which
 * NodeInfo bumps on every pod add, remove or replacement — so a cached count is exactly what
 * matching the node's pods again would give. Keyed by NodeInfo object, so preemption's
 * clones never share entries with the live node.
 */
export class MatchCounter {
  private readonly byNode = new WeakMap<NodeInfo, Map<string, CountEntry>>();

  count(n: NodeInfo, ns: string, c: Constraint): number {
    let m = this.byNode.get(n);
    if (!m) this.byNode.set(n, (m = new Map()));
    const e = m.get(c.cacheKey);
    if (e && e.generation === n.generation) return e.count;
    const count = countPodsMatching(n, c.selector, ns);
    if (e) {
      e.generation = n.generation;
      e.count = count;
    } else {
      if (m.size >= maxSelectorsPerNode) m.clear();
      m.set(c.cacheKey, { generation: n.generation, count });
    }
    return count;
  }
}

/** Pods on the node in `ns` that the selector matches, terminating pods left out (upstream #87621). */
function countPodsMatching(n: NodeInfo, selector: LabelRequirements, ns: string): number {
  let matched = 0;
  for (const p of n.pods.values()) if (p.namespace === ns && !p.pod.metadata?.deletionTimestamp && selector.matches(p.labels)) matched++;
  return matched;
}
