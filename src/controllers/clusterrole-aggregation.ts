/**
 * @module The ClusterRole aggregation controller ("clusterrole-aggregation-controller",
 * upstream pkg/controller/clusterroleaggregation): a ClusterRole with an `aggregationRule`
 * gets as its rules the union of the rules of every other ClusterRole whose labels match one
 * of its `clusterRoleSelectors` (in name order, exact duplicates dropped). Any ClusterRole
 * change re-queues every aggregating role, since a label change can add or remove a source.
 */
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf } from '../client/refs.ts';
import type { ResourceRef } from '../client/rest.ts';
import { selectorFromLabelSelector } from '../machinery/labels.ts';
import { isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext } from './framework/controller.ts';

export const controllerName = 'clusterrole-aggregation-controller';
type CR = ClusterRole & KubeObject;

const clusterRoles: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', namespaced: false };

/** The rules an aggregating role should have, given every ClusterRole. */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] {
  const selectors = (role.aggregationRule?.clusterRoleSelectors ?? []).map((s) => selectorFromLabelSelector(s));
  const sources = all
    .filter((r) => r.metadata?.name !== role.metadata?.name)
    .filter((r) => selectors.some((s) => s.matches(r.metadata?.labels ?? {})))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const src of sources)
    for (const rule of src.rules ?? []) {
      const k = JSON.stringify(rule);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(rule);
    }
  return out;
}

export class ClusterRoleAggregationController implements Controller {
  readonly name = controllerName;
  private readonly roles: Informer<CR>;
  private readonly runner: QueueRunner;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner(ctx, controllerName, (k) => this.reconcile(k), { workers: 1 });
    this.roles = ctx.informers.informerFor<CR>(clusterRoles);
    const enqueueAggregating = () => {
      for (const r of this.roles.store.list()) if (r.aggregationRule) this.runner.enqueue(keyOf(r));
    };
    this.roles.addEventHandler({ onAdd: enqueueAggregating, onUpdate: enqueueAggregating, onDelete: enqueueAggregating });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async reconcile(key: string): Promise<void> {
    const role = this.roles.store.get(key);
    if (!role?.aggregationRule) return;
    const rules = aggregatedRules(role, this.roles.store.list());
    if (JSON.stringify(rules) === JSON.stringify(role.rules ?? [])) return;
    try {
      await this.ctx.client.resource<CR>(clusterRoles).update({ ...role, rules });
    } catch (err) {
      // Gone: nothing to do. A conflict means the cache is behind: retried with backoff.
      if (isNotFound(err)) return;
      throw err;
    }
  }
}
