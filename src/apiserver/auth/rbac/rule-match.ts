/**
 * @module RBAC rule matching (upstream plugin/pkg/auth/authorizer/rbac/rbac.go RuleAllows):
 * does one PolicyRule cover a request's verb, API group, resource[/subresource], name or
 * non-resource path? `*` matches everything; `*` + `/scale` any resource's scale subresource;
 * a non-resource URL ending in `*` matches by prefix.
 */
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { AuthorizationAttributes } from '../authorizer.ts';

export type RequestAttributes = Omit<AuthorizationAttributes, 'user'>;

export const verbMatches = (rule: PolicyRule, verb: string): boolean =>
  rule.verbs.some((v) => v === '*' || v === verb);

export const apiGroupMatches = (rule: PolicyRule, group: string): boolean =>
  (rule.apiGroups ?? []).some((g) => g === '*' || g === group);

export function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some((r) => {
    if (r === '*' || r === combined) return true;
    // `*/scale` covers every resource's scale subresource, not the resource itself.
    return !!subresource && r === `*/${subresource}`;
  });
}

/** An empty resourceNames list means every name. */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => {
    if (u === '*' || u === path) return true;
    return u.endsWith('*') && path.startsWith(u.slice(0, -1));
  });
}

export function ruleAllows(a: RequestAttributes, rule: PolicyRule): boolean {
  if (!a.isResourceRequest) return verbMatches(rule, a.verb) && nonResourceURLMatches(rule, a.path);
  return (
    verbMatches(rule, a.verb) &&
    apiGroupMatches(rule, a.apiGroup) &&
    resourceMatches(rule, a.resource, a.subresource) &&
    resourceNameMatches(rule, a.name)
  );
}

export const rulesAllow = (a: RequestAttributes, rules: readonly PolicyRule[]): boolean => rules.some((r) => ruleAllows(a, r));
