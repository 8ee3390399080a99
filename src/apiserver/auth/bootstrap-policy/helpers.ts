/**
 * @module Builders for the bootstrap policy (upstream pkg/apis/rbac/v1 helpers): rules,
 * cluster roles and bindings, all labelled `kubernetes.io/bootstrapping: rbac-defaults` and
 * annotated `rbac.authorization.kubernetes.io/autoupdate: "true"` so start-up reconciliation
 * may restore them.
 */
import type { AggregationRule, ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';

export const rbacGroup = 'rbac.authorization.k8s.io';
export const read = ['get', 'list', 'watch'];
export const write = ['create', 'update', 'patch', 'delete', 'deletecollection'];
export const readWrite = [...read, ...write];
export const readUpdate = ['get', 'list', 'watch', 'update', 'patch'];

export const bootstrapLabels = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
export const autoupdateAnnotation = 'rbac.authorization.kubernetes.io/autoupdate';

/** A resource rule: `rule(verbs, groups, resources, names?)`. */
export function rule(verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule {
  const r: PolicyRule = { verbs, apiGroups, resources };
  if (resourceNames?.length) r.resourceNames = resourceNames;
  return r;
}

export const urlRule = (verbs: string[], urls: string[]): PolicyRule => ({ verbs, nonResourceURLs: urls });

/** create/update/patch on events in both event groups (upstream eventsRule). */
export const eventsRule = (): PolicyRule => rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']);

const meta = (name: string, namespace?: string, labels: Record<string, string> = {}) => ({
  name,
  ...(namespace ? { namespace } : {}),
  labels: { ...bootstrapLabels, ...labels },
  annotations: { [autoupdateAnnotation]: 'true' },
});

export function clusterRole(name: string, rules: PolicyRule[], opts: { labels?: Record<string, string>; aggregationRule?: AggregationRule } = {}): ClusterRole {
  const r: ClusterRole = { apiVersion: `${rbacGroup}/v1`, kind: 'ClusterRole', metadata: meta(name, undefined, opts.labels), rules };
  if (opts.aggregationRule) r.aggregationRule = opts.aggregationRule;
  return r;
}

export const role = (namespace: string, name: string, rules: PolicyRule[]): Role => ({
  apiVersion: `${rbacGroup}/v1`,
  kind: 'Role',
  metadata: meta(name, namespace),
  rules,
});

export const users = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'User', apiGroup: rbacGroup, name }));
export const groups = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'Group', apiGroup: rbacGroup, name }));
export const serviceAccount = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });

/** A ClusterRoleBinding named after its ClusterRole, as upstream's NewClusterBinding. */
export function clusterBinding(roleName: string, subjects: Subject[], name = roleName): ClusterRoleBinding {
  const b: ClusterRoleBinding = { apiVersion: `${rbacGroup}/v1`, kind: 'ClusterRoleBinding', metadata: meta(name), roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: roleName } };
  if (subjects.length) b.subjects = subjects;
  return b;
}

export const roleBinding = (namespace: string, name: string, roleRef: { kind: 'Role' | 'ClusterRole'; name: string }, subjects: Subject[]): RoleBinding => ({
  apiVersion: `${rbacGroup}/v1`,
  kind: 'RoleBinding',
  metadata: meta(name, namespace),
  roleRef: { apiGroup: rbacGroup, ...roleRef },
  subjects,
});
