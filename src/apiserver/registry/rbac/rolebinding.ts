/**
 * @module rbac.authorization.k8s.io/v1 RoleBindings: roleRef immutable. Upstream prints
 * NAME · ROLE · AGE · USERS(w) · GROUPS(w) · SERVICEACCOUNTS(w).
 */
import type { RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy, TableColumn } from '../strategy.ts';
import { roleRefImmutable, roleRefString, subjectsOf, validateRoleRef, validateSubject } from './rules.ts';

export const bindingColumns: TableColumn[] = [
  nameColumn,
  column('Role', 'string', 'Role of the binding.'),
  ageColumn,
  column('Users', 'string', 'Users in the binding.', 1),
  column('Groups', 'string', 'Groups in the binding.', 1),
  column('ServiceAccounts', 'string', 'ServiceAccounts in the binding.', 1),
];

export const roleBindingStrategy: Strategy<Mutable<RoleBinding>> = {
  info: findResource(builtinResources, 'rbac.authorization.k8s.io', 'v1', 'rolebindings')!,
  nameRule: 'path-segment',
  validate: (b) => [
    ...validateRoleRef(b.roleRef, 'roleRef', true),
    ...(b.subjects ?? []).flatMap((s, i) => validateSubject(s, true, `subjects[${i}]`)),
  ],
  validateUpdate: (b, old) => roleRefImmutable(b.roleRef, old.roleRef),
  table: {
    columns: bindingColumns,
    cells: (b, now) => [
      b.metadata?.name ?? '',
      roleRefString(b.roleRef),
      ageOf(b, now),
      subjectsOf(b.subjects, 'User'),
      subjectsOf(b.subjects, 'Group'),
      subjectsOf(b.subjects, 'ServiceAccount'),
    ],
  },
};
