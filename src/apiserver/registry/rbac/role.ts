/**
 * @module rbac.authorization.k8s.io/v1 Roles. Upstream prints NAME · CREATED AT.
 */
import type { Role } from 'kubernetes-types/rbac/v1.js';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { validatePolicyRule } from './rules.ts';

export const createdAtColumn = column('Created At', 'date', 'Time when the role was created.');

export const roleStrategy: Strategy<Mutable<Role>> = {
  info: findResource(builtinResources, 'rbac.authorization.k8s.io', 'v1', 'roles')!,
  nameRule: 'path-segment',
  validate: (r) => (r.rules ?? []).flatMap((rule, i) => validatePolicyRule(rule, true, `rules[${i}]`)),
  table: {
    columns: [nameColumn, createdAtColumn],
    cells: (r) => [r.metadata?.name ?? '', r.metadata?.creationTimestamp ?? null],
  },
};
