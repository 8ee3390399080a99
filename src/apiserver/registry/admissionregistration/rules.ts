/**
 * @module Shared defaulting and validation of admissionregistration.k8s.io/v1 rules and
 * selectors (upstream admissionregistration/v1 defaults.go and validation.go, the parts that
 * webhooks and ValidatingAdmissionPolicies have in common).
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { notSupported, required, forbidden, type FieldError } from '../../../api/field-error.ts';

export interface RuleLike {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
}

const operations = ['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
const scopes = ['*', 'Cluster', 'Namespaced'];

export function defaultRule(r: RuleLike): void {
  if (!r.scope) r.scope = '*';
}

/** An empty selector is upstream's default: it matches everything. */
export function defaultSelector<T extends { namespaceSelector?: LabelSelector; objectSelector?: LabelSelector }>(o: T): void {
  if (!o.namespaceSelector) o.namespaceSelector = {};
  if (!o.objectSelector) o.objectSelector = {};
}

export function validateRule(r: RuleLike, path: string): FieldError[] {
  const out: FieldError[] = [];
  for (const [field, list] of [['operations', r.operations], ['apiGroups', r.apiGroups], ['apiVersions', r.apiVersions], ['resources', r.resources]] as const) {
    if (!list || list.length === 0) out.push(required(`${path}.${field}`));
    else if (list.includes('*') && list.length > 1)
      out.push(forbidden(`${path}.${field}`, "if '*' is present, must not specify other values"));
  }
  r.operations?.forEach((op, i) => {
    if (!operations.includes(op)) out.push(notSupported(`${path}.operations[${i}]`, op, operations));
  });
  if (r.scope && !scopes.includes(r.scope)) out.push(notSupported(`${path}.scope`, r.scope, scopes));
  return out;
}

export function validateEnum(value: string | undefined, path: string, allowed: readonly string[]): FieldError[] {
  return value !== undefined && !allowed.includes(value) ? [notSupported(path, value, allowed)] : [];
}
