/**
 * @module rbac.authorization.k8s.io/v1 strategies.
 */
import type { Strategy } from '../strategy.ts';
import { clusterRoleStrategy } from './clusterrole.ts';
import { clusterRoleBindingStrategy } from './clusterrolebinding.ts';
import { roleStrategy } from './role.ts';
import { roleBindingStrategy } from './rolebinding.ts';

export const rbacStrategies: Strategy[] = [
  clusterRoleBindingStrategy,
  clusterRoleStrategy,
  roleBindingStrategy,
  roleStrategy,
] as unknown as Strategy[];
