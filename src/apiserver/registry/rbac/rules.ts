/**
 * @module Shared RBAC validation: policy rules, subjects and role references.
 */
import type { PolicyRule, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import { forbidden, notSupported, required, type FieldError } from '../../../api/field-error.ts';
import { pathSegmentErrors } from '../../../api/validation/names.ts';
import { invalid } from '../../../api/field-error.ts';

export function validatePolicyRule(rule: PolicyRule, isNamespaced: boolean, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (!(rule.verbs ?? []).length) out.push(required(`${path}.verbs`, 'verbs must contain at least one value'));
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length) {
    if (isNamespaced) out.push(invalid(`${path}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if ((rule.apiGroups ?? []).length || (rule.resources ?? []).length || (rule.resourceNames ?? []).length)
      out.push(invalid(`${path}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    return out;
  }
  if (!(rule.apiGroups ?? []).length)
    out.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!(rule.resources ?? []).length) out.push(required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return out;
}

export function validateRoleRef(ref: RoleRef | undefined, path: string, namespaced: boolean): FieldError[] {
  const out: FieldError[] = [];
  if (!ref) return [required(path)];
  if (ref.apiGroup !== 'rbac.authorization.k8s.io')
    out.push(notSupported(`${path}.apiGroup`, ref.apiGroup, ['rbac.authorization.k8s.io']));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) out.push(notSupported(`${path}.kind`, ref.kind, kinds));
  if (!ref.name) out.push(required(`${path}.name`));
  else for (const e of pathSegmentErrors(ref.name)) out.push(invalid(`${path}.name`, ref.name, e));
  return out;
}

export function validateSubject(s: Subject, namespaced: boolean, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (!s.name) out.push(required(`${path}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.apiGroup) out.push(notSupported(`${path}.apiGroup`, s.apiGroup, ['']));
      if (!namespaced && !s.namespace) out.push(required(`${path}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== 'rbac.authorization.k8s.io') out.push(notSupported(`${path}.apiGroup`, s.apiGroup, ['rbac.authorization.k8s.io']));
      break;
    default:
      out.push(notSupported(`${path}.kind`, s.kind, ['ServiceAccount', 'User', 'Group']));
  }
  return out;
}

export function roleRefImmutable(newRef: RoleRef | undefined, oldRef: RoleRef | undefined): FieldError[] {
  if (JSON.stringify(newRef ?? null) === JSON.stringify(oldRef ?? null)) return [];
  if (newRef?.apiGroup === oldRef?.apiGroup && newRef?.kind === oldRef?.kind && newRef?.name === oldRef?.name) return [];
  return [invalid('roleRef', newRef, 'cannot change roleRef')];
}

export { forbidden };

/** Upstream ROLE column: `Kind/name`. */
export const roleRefString = (r: RoleRef | undefined): string => (r ? `${r.kind}/${r.name}` : '');

/** Subjects of the given kind for the wide columns, `ns/name` for service accounts. */
export function subjectsOf(subjects: readonly Subject[] | undefined, kind: string): string {
  return (subjects ?? [])
    .filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name))
    .join(', ');
}
