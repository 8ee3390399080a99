/**
 * @module rbac.authorization.k8s.io/v1 ClusterRoleBindings: roleRef immutable and must name a
 * ClusterRole; same columns as RoleBindings.
 */
import type { ClusterRoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageOf } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { bindingColumns } from './rolebinding.ts';
import { roleRefImmutable, roleRefString, subjectsOf, validateRoleRef, validateSubject } from './rules.ts';

export const clusterRoleBindingStrategy: Strategy<Mutable<ClusterRoleBinding>> = {
  info: findResource(builtinResources, 'rbac.authorization.k8s.io', 'v1', 'clusterrolebindings')!,
  nameRule: 'path-segment',
  validate: (b) => [
    ...validateRoleRef(b.roleRef, 'roleRef', false),
    ...(b.subjects ?? []).flatMap((s, i) => validateSubject(s, false, `subjects[${i}]`)),
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
