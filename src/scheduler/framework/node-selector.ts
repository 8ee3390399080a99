/**
 * @module Node selection as upstream's component-helpers evaluate it: a NodeSelector's terms
 * are ORed, a term's expressions and fields are ANDed, an empty term matches nothing; and
 * `spec.nodeSelector` must match exactly. Compiled once per pod, then matched per node.
 */
import type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';

export type NodeMatcher = (labels: Readonly<Record<string, string>>, nodeName: string) => boolean;

function requirement(r: NodeSelectorRequirement, field: boolean): NodeMatcher {
  const values = r.values ?? [];
  const get = field ? (_l: Readonly<Record<string, string>>, name: string) => (r.key === 'metadata.name' ? name : undefined) : (l: Readonly<Record<string, string>>) => l[r.key];
  switch (r.operator) {
    case 'In':
      return (l, n) => {
        const v = get(l, n);
        return v !== undefined && values.includes(v);
      };
    case 'NotIn':
      return (l, n) => {
        const v = get(l, n);
        return v === undefined || !values.includes(v);
      };
    case 'Exists':
      return (l, n) => get(l, n) !== undefined;
    case 'DoesNotExist':
      return (l, n) => get(l, n) === undefined;
    case 'Gt':
    case 'Lt': {
      const want = Number.parseInt(values[0] ?? '', 10);
      if (values.length !== 1 || Number.isNaN(want)) return () => false;
      return (l, n) => {
        const v = get(l, n);
        if (v === undefined || !/^-?\d+$/.test(v)) return false;
        return r.operator === 'Gt' ? Number(v) > want : Number(v) < want;
      };
    }
    default:
      return () => false;
  }
}

export function compileTerm(t: NodeSelectorTerm): NodeMatcher {
  const reqs = [...(t.matchExpressions ?? []).map((r) => requirement(r, false)), ...(t.matchFields ?? []).map((r) => requirement(r, true))];
  if (reqs.length === 0) return () => false;
  return (l, n) => {
    for (const r of reqs) if (!r(l, n)) return false;
    return true;
  };
}

export function compileNodeSelector(s: NodeSelector): NodeMatcher {
  const terms = s.nodeSelectorTerms.map(compileTerm);
  return (l, n) => {
    for (const t of terms) if (t(l, n)) return true;
    return false;
  };
}

export function compileLabelSet(set: Readonly<Record<string, string>>): NodeMatcher {
  const entries = Object.entries(set);
  return (l) => {
    for (const [k, v] of entries) if (l[k] !== v) return false;
    return true;
  };
}

export interface WeightedMatcher {
  weight: number;
  matches: NodeMatcher;
}

export function compilePreferred(terms: readonly PreferredSchedulingTerm[]): WeightedMatcher[] {
  return terms.filter((t) => t.weight !== 0).map((t) => ({ weight: t.weight, matches: compileTerm(t.preference) }));
}
