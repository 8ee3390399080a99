/**
 * @module Which admission requests a rule, a selector or a configuration applies to (upstream
 * admission/plugin/webhook/predicates/rules, namespace and object). Shared by webhooks and
 * ValidatingAdmissionPolicies.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { selectorFromLabelSelector } from '../../../machinery/labels.ts';
import type { AdmissionAttributes } from '../interface.ts';

export interface Rule {
  operations?: readonly string[];
  apiGroups?: readonly string[];
  apiVersions?: readonly string[];
  resources?: readonly string[];
  scope?: string;
  resourceNames?: readonly string[];
}

const inList = (list: readonly string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

/** `pods`, `pods/status`, `*`, `*\/status`, `pods/*`, `*\/*` as upstream's Matcher.resource. */
function resourceMatches(rule: Rule, a: AdmissionAttributes): boolean {
  return (rule.resources ?? []).some((r) => {
    const [res, sub = ''] = r.split('/', 2) as [string, string?];
    return (res === '*' || res === a.resource.resource) && (sub === '*' || sub === a.subresource);
  });
}

function scopeMatches(rule: Rule, a: AdmissionAttributes): boolean {
  const scope = rule.scope ?? '*';
  if (scope === '*') return true;
  // Namespaces are cluster-scoped even though their requests carry their own name.
  const namespaced = a.resource.namespaced && a.namespace !== '';
  return scope === 'Namespaced' ? namespaced : !namespaced;
}

export function ruleMatches(rule: Rule, a: AdmissionAttributes): boolean {
  if (!inList(rule.operations, a.operation)) return false;
  if (!inList(rule.apiGroups, a.resource.group)) return false;
  if (!inList(rule.apiVersions, a.resource.version)) return false;
  if (!resourceMatches(rule, a) || !scopeMatches(rule, a)) return false;
  if (rule.resourceNames?.length && !rule.resourceNames.includes(a.name)) return false;
  return true;
}

const isEmptySelector = (s: LabelSelector | undefined): boolean => !s || (!s.matchLabels && !s.matchExpressions?.length);

/** Either the new or the old object must match; an empty selector matches everything. */
export function objectSelectorMatches(sel: LabelSelector | undefined, a: AdmissionAttributes): boolean {
  if (isEmptySelector(sel)) return true;
  const s = selectorFromLabelSelector(sel);
  return [a.object, a.oldObject].some((o) => o !== undefined && s.matches(o.metadata?.labels ?? {}));
}

/**
 * Namespaced requests match on their namespace's labels, a Namespace on its own labels, and
 * other cluster-scoped objects always match.
 */
export async function namespaceSelectorMatches(
  sel: LabelSelector | undefined,
  a: AdmissionAttributes,
  getNamespace: (name: string) => Promise<KubeObject | undefined>,
): Promise<boolean> {
  if (isEmptySelector(sel)) return true;
  const s = selectorFromLabelSelector(sel);
  if (a.resource.group === '' && a.resource.resource === 'namespaces') {
    const o = a.object ?? a.oldObject;
    return s.matches(o?.metadata?.labels ?? {});
  }
  if (!a.resource.namespaced || !a.namespace) return true;
  const ns = await getNamespace(a.namespace);
  return s.matches(ns?.metadata?.labels ?? {});
}

/** Upstream never sends the admission configuration objects themselves to webhooks or policies. */
export const isExemptResource = (a: AdmissionAttributes): boolean => a.resource.group === 'admissionregistration.k8s.io';
