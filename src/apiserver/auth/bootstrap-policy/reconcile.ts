/**
 * @module Start-up reconciliation of the bootstrap policy (upstream rbac/rest
 * storage_rbac.go PostStartHook): every default role and binding is created when missing;
 * one that still carries `rbac.authorization.kubernetes.io/autoupdate: "true"` gets back any
 * rule or subject it lost (additively, never removing what an admin added). Aggregated roles
 * keep their rules, which the aggregation controller owns.
 */
import type { ClusterRole, PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import type { Logger } from '../../../util/log.ts';
import type { Store } from '../../registry/generic/store.ts';
import type { UserInfo } from '../../types.ts';
import { controllerRoleBindings, controllerRoles } from './controller-policy.ts';
import { autoupdateAnnotation } from './helpers.ts';
import { namespacedRoleBindings, namespacedRoles } from './namespace-policy.ts';
import { clusterRoleBindings, clusterRoles } from './policy.ts';

const apiserverUser: UserInfo = { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] };

export function bootstrapPolicy(): { resource: string; objects: KubeObject[] }[] {
  return [
    { resource: 'clusterroles', objects: [...clusterRoles(), ...controllerRoles()] as unknown as KubeObject[] },
    { resource: 'clusterrolebindings', objects: [...clusterRoleBindings(), ...controllerRoleBindings()] as unknown as KubeObject[] },
    { resource: 'roles', objects: namespacedRoles() as unknown as KubeObject[] },
    { resource: 'rolebindings', objects: namespacedRoleBindings() as unknown as KubeObject[] },
  ];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function missingRules(have: PolicyRule[] | undefined, want: PolicyRule[] | undefined): PolicyRule[] {
  return (want ?? []).filter((w) => !(have ?? []).some((h) => same(h, w)));
}

function missingSubjects(have: Subject[] | undefined, want: Subject[] | undefined): Subject[] {
  const key = (s: Subject) => `${s.kind}/${s.namespace ?? ''}/${s.name}`;
  const present = new Set((have ?? []).map(key));
  return (want ?? []).filter((s) => !present.has(key(s)));
}

/** The repaired object, or undefined when nothing needs to change. */
export function repair(resource: string, existing: KubeObject, desired: KubeObject): KubeObject | undefined {
  if (existing.metadata?.annotations?.[autoupdateAnnotation] !== 'true') return undefined;
  if (resource === 'clusterroles' || resource === 'roles') {
    const have = existing as ClusterRole & KubeObject;
    const want = desired as ClusterRole;
    if (want.aggregationRule) return same(have.aggregationRule, want.aggregationRule) ? undefined : { ...have, aggregationRule: want.aggregationRule };
    const add = missingRules(have.rules, (want as Role).rules);
    return add.length ? { ...have, rules: [...(have.rules ?? []), ...add] } : undefined;
  }
  const have = existing as RoleBinding & KubeObject;
  const add = missingSubjects(have.subjects, (desired as unknown as RoleBinding).subjects);
  return add.length ? { ...have, subjects: [...(have.subjects ?? []), ...add] } : undefined;
}

export async function reconcileBootstrapPolicy(
  stores: { store(group: string, version: string, resource: string): Store | undefined },
  logger: Logger,
): Promise<void> {
  const opts = { dryRun: false, user: apiserverUser, fieldManager: 'skiff-apiserver' };
  let created = 0;
  let updated = 0;
  for (const { resource, objects } of bootstrapPolicy()) {
    const store = stores.store('rbac.authorization.k8s.io', 'v1', resource);
    if (!store) continue;
    for (const obj of objects) {
      const ns = obj.metadata?.namespace ?? '';
      const name = obj.metadata!.name!;
      try {
        const current = await store.getRaw(ns, name);
        if (!current) {
          await store.create(ns, structuredClone(obj), opts);
          created++;
          continue;
        }
        const fixed = repair(resource, current.obj, obj);
        if (fixed) {
          await store.update(ns, name, fixed, opts);
          updated++;
        }
      } catch (err) {
        // Another server reconciling at the same time is fine; anything else is worth a warning.
        logger.warn('bootstrap policy reconcile failed', { resource, name, err: err as Error });
      }
    }
  }
  if (created || updated) logger.info('bootstrap policy reconciled', { created, updated });
}
