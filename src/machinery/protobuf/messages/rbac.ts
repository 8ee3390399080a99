/**
 * @module Field tables for rbac/v1, written by tools/gen-tables.ts (v0.32.4); see ../table.ts.
 */
import type { MessageTable } from '../table.ts';

export const rbacMessages: MessageTable = {
  'rbac.v1.AggregationRule': {
    1: ['clusterRoleSelectors', 'meta.v1.LabelSelector', 'r'],
  },
  'rbac.v1.ClusterRole': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['rules', 'rbac.v1.PolicyRule', 'r'],
    3: ['aggregationRule', 'rbac.v1.AggregationRule'],
  },
  'rbac.v1.ClusterRoleBinding': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['subjects', 'rbac.v1.Subject', 'r'],
    3: ['roleRef', 'rbac.v1.RoleRef'],
  },
  'rbac.v1.PolicyRule': {
    1: ['verbs', 'string', 'r'], 2: ['apiGroups', 'string', 'r'], 3: ['resources', 'string', 'r'],
    4: ['resourceNames', 'string', 'r'], 5: ['nonResourceURLs', 'string', 'r'],
  },
  'rbac.v1.Role': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['rules', 'rbac.v1.PolicyRule', 'r'],
  },
  'rbac.v1.RoleBinding': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['subjects', 'rbac.v1.Subject', 'r'],
    3: ['roleRef', 'rbac.v1.RoleRef'],
  },
  'rbac.v1.RoleRef': {
    1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'],
  },
  'rbac.v1.Subject': {
    1: ['kind', 'string'], 2: ['apiGroup', 'string', 'o'], 3: ['name', 'string'],
    4: ['namespace', 'string', 'o'],
  },
};
