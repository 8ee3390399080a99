/**
 * @module Whether one set of rules covers another (upstream pkg/registry/rbac/validation
 * Covers/BreakdownRule/CompactString): used by escalation prevention — a user may grant only
 * what it already holds. Rules are broken down to one verb × group × resource × name each.
 */
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';

/** One rule per verb, group, resource and name (or non-resource URL). */
export function breakdownRule(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const verb of r.verbs) {
    for (const url of r.nonResourceURLs ?? []) out.push({ verbs: [verb], nonResourceURLs: [url] });
    for (const group of r.apiGroups ?? [])
      for (const resource of r.resources ?? []) {
        if ((r.resourceNames ?? []).length)
          for (const name of r.resourceNames!) out.push({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name] });
        else out.push({ verbs: [verb], apiGroups: [group], resources: [resource] });
      }
  }
  return out;
}

const has = (set: readonly string[] | undefined, v: string) => (set ?? []).includes(v);

function resourceCovered(owner: readonly string[], resource: string): boolean {
  if (has(owner, '*') || has(owner, resource)) return true;
  const slash = resource.indexOf('/');
  return slash >= 0 && has(owner, `*/${resource.slice(slash + 1)}`);
}

function urlCovered(owner: readonly string[], url: string): boolean {
  return owner.some((o) => o === '*' || o === url || (o.endsWith('*') && url.startsWith(o.slice(0, -1))));
}

/** Does `owner` cover the atomic rule `r`? */
export function ruleCovers(owner: PolicyRule, r: PolicyRule): boolean {
  const verb = r.verbs[0]!;
  if (!has(owner.verbs, '*') && !has(owner.verbs, verb)) return false;
  if ((r.nonResourceURLs ?? []).length) return urlCovered(owner.nonResourceURLs ?? [], r.nonResourceURLs![0]!);
  const group = r.apiGroups![0]!;
  if (!has(owner.apiGroups, '*') && !has(owner.apiGroups, group)) return false;
  if (!resourceCovered(owner.resources ?? [], r.resources![0]!)) return false;
  const names = owner.resourceNames ?? [];
  if (names.length === 0) return true;
  return (r.resourceNames ?? []).length > 0 && names.includes(r.resourceNames![0]!);
}

/** The parts of `requested` that `held` does not cover (empty: covered). */
export function uncovered(held: readonly PolicyRule[], requested: readonly PolicyRule[]): PolicyRule[] {
  return requested.flatMap(breakdownRule).filter((atom) => !held.some((h) => ruleCovers(h, atom)));
}

/** Merges atomic rules that differ only in verb (upstream CompactRules). */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const byKey = new Map<string, PolicyRule>();
  for (const r of rules) {
    const key = JSON.stringify([r.apiGroups, r.resources, r.resourceNames, r.nonResourceURLs]);
    const seen = byKey.get(key);
    if (seen) {
      if (!seen.verbs.includes(r.verbs[0]!)) seen.verbs.push(r.verbs[0]!);
    } else byKey.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...byKey.values()];
}

/** Go's %q of a string slice: `["a" "b"]`. */
export const goQuotedList = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/** `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}` as upstream prints a rule. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if ((r.apiGroups ?? []).length) parts.push(`APIGroups:${goQuotedList(r.apiGroups!)}`);
  if ((r.resources ?? []).length) parts.push(`Resources:${goQuotedList(r.resources!)}`);
  if ((r.nonResourceURLs ?? []).length) parts.push(`NonResourceURLs:${goQuotedList(r.nonResourceURLs!)}`);
  if ((r.resourceNames ?? []).length) parts.push(`ResourceNames:${goQuotedList(r.resourceNames!)}`);
  if (r.verbs.length) parts.push(`Verbs:${goQuotedList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}
