/**
 * @module rbac.authorization.k8s.io/v1 ClusterRoles. Upstream prints NAME · CREATED AT.
 */
import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import type { FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { createdAtColumn } from './role.ts';
import { validatePolicyRule } from './rules.ts';
import { validateLabelSelector } from '../apps/workload.ts';

export const clusterRoleStrategy: Strategy<Mutable<ClusterRole>> = {
  info: findResource(builtinResources, 'rbac.authorization.k8s.io', 'v1', 'clusterroles')!,
  nameRule: 'path-segment',
  validate(r) {
    const out: FieldError[] = (r.rules ?? []).flatMap((rule, i) => validatePolicyRule(rule, false, `rules[${i}]`));
    (r.aggregationRule?.clusterRoleSelectors ?? []).forEach((s, i) =>
      out.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)),
    );
    return out;
  },
  table: {
    columns: [nameColumn, createdAtColumn],
    cells: (r) => [r.metadata?.name ?? '', r.metadata?.creationTimestamp ?? null],
  },
};
