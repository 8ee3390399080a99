/**
 * @module Audit policy (`audit.k8s.io/v1` Policy): the first rule matching a request decides
 * its level (None, Metadata, Request, RequestResponse) and the stages left out, as upstream's
 * `k8s.io/apiserver/pkg/audit/policy` checker. No matching rule: None.
 */
import { parse as parseYaml } from 'yaml';

export type Level = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type Stage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

const levels: Level[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const stages: Stage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: Stage[];
}

export interface Policy {
  rules: PolicyRule[];
  omitStages: Stage[];
}

/** What the checker looks at: the request's user and what it addresses. */
export interface AuditAttributes {
  user: { username: string; groups: string[] } | undefined;
  verb: string;
  isResourceRequest: boolean;
  path: string;
  group: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

function checkStages(list: unknown, where: string): Stage[] {
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.some((s) => !stages.includes(s as Stage))) throw new Error(`${where}: stages must be of ${stages.join(', ')}`);
  return list as Stage[];
}

export function parsePolicy(text: string): Policy {
  const doc = parseYaml(text) as { apiVersion?: string; kind?: string; rules?: PolicyRule[]; omitStages?: unknown } | null;
  if (!doc || doc.kind !== 'Policy') throw new Error('audit policy: kind must be Policy');
  if (doc.apiVersion !== 'audit.k8s.io/v1') throw new Error('audit policy: apiVersion must be audit.k8s.io/v1');
  if (!Array.isArray(doc.rules) || doc.rules.length === 0) throw new Error('audit policy: at least one rule is required');
  const rules = doc.rules.map((r, i) => {
    if (!levels.includes(r.level)) throw new Error(`rules[${i}].level: must be one of ${levels.join(', ')}`);
    if (r.nonResourceURLs?.length && (r.resources?.length || r.namespaces?.length))
      throw new Error(`rules[${i}]: rules cannot apply to both regular resources and non-resource URLs`);
    return { ...r, omitStages: checkStages(r.omitStages, `rules[${i}].omitStages`) };
  });
  return { rules, omitStages: checkStages(doc.omitStages, 'omitStages') };
}

function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (r.users?.length && !(a.user && r.users.includes(a.user.username))) return false;
  if (r.userGroups?.length && !(a.user && a.user.groups.some((g) => r.userGroups!.includes(g)))) return false;
  if (r.verbs?.length && !r.verbs.includes(a.verb)) return false;
  if (!r.namespaces?.length && !r.resources?.length && !r.nonResourceURLs?.length) return true;
  if (!a.isResourceRequest) return !!r.nonResourceURLs?.length && r.nonResourceURLs.some((u) => urlMatches(u, a.path));
  if (r.nonResourceURLs?.length) return false;
  if (r.namespaces?.length && !r.namespaces.includes(a.namespace)) return false;
  return !r.resources?.length || r.resources.some((g) => resourceMatches(g, a));
}

function urlMatches(pattern: string, path: string): boolean {
  if (pattern === '*' || pattern === path) return true;
  return pattern.endsWith('*') && path.startsWith(pattern.slice(0, -1));
}

/** Upstream's ruleMatchesResource: a resource, resource/subresource, a star, star/subresource or resource/star. */
function resourceMatches(g: GroupResources, a: AuditAttributes): boolean {
  if ((g.group ?? '') !== a.group && g.group !== '*') return false;
  if (!g.resources?.length) return true;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const ok = g.resources.some(
    (r) => r === '*' || r === full || (r === `${a.resource}/*` && !!a.subresource) || (r.startsWith('*/') && r === `*/${a.subresource}`),
  );
  if (!ok) return false;
  return !g.resourceNames?.length || g.resourceNames.includes(a.name);
}

/** The level and omitted stages for a request. */
export function evaluatePolicy(p: Policy, a: AuditAttributes): { level: Level; omitStages: Stage[] } {
  const rule = p.rules.find((r) => ruleMatches(r, a));
  if (!rule) return { level: 'None', omitStages: p.omitStages };
  return { level: rule.level, omitStages: [...new Set([...p.omitStages, ...(rule.omitStages ?? [])])] };
}
