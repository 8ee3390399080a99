/**
 * @module The resourcequota controller ("resourcequota-controller", upstream
 * pkg/controller/resourcequota): keeps every ResourceQuota's `status.hard` equal to its
 * `spec.hard` and `status.used` equal to what the live objects in its namespace use —
 * recalculated when a quota changes, when a counted object changes (or is deleted, which is
 * how admission's charges are given back), and on a periodic full resync
 * (`resourceQuotaSyncPeriodMs`, 5 min as upstream).
 */
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { Usage } from '../api/quota/quantity.ts';
import { quotaSelects, resourceOfQuotaName, usageOf } from '../api/quota/usage.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs, splitKey } from '../client/refs.ts';
import type { ResourceRef } from '../client/rest.ts';
import { isConflict, isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext, type ReconcileResult } from './framework/controller.ts';

export const controllerName = 'resourcequota-controller';
type Q = ResourceQuota & KubeObject;

/** The kinds whose objects are counted, by the qualified name quota hard names use. */
const counted: Record<string, ResourceRef> = {
  pods: refs.pods,
  services: refs.services,
  configmaps: refs.configmaps,
  secrets: refs.secrets,
  persistentvolumeclaims: refs.persistentvolumeclaims,
  replicationcontrollers: refs.replicationcontrollers,
  resourcequotas: refs.resourcequotas,
  'deployments.apps': refs.deployments,
  'replicasets.apps': refs.replicasets,
  'statefulsets.apps': refs.statefulsets,
  'daemonsets.apps': refs.daemonsets,
  'jobs.batch': refs.jobs,
  'cronjobs.batch': refs.cronjobs,
};

/** What a quota's namespace uses of each of its hard names, from the given objects. */
export function calculateUsed(quota: Q, objectsOf: (qualified: string) => KubeObject[], nowMs: number): Record<string, string> {
  const hardNames = Object.keys(quota.spec?.hard ?? {});
  const total = new Usage();
  for (const n of hardNames) total.add(n, 0n);
  const byResource = new Map<string, string[]>();
  for (const n of hardNames) {
    const r = resourceOfQuotaName(n);
    if (r) byResource.set(r, [...(byResource.get(r) ?? []), n]);
  }
  for (const [qualified, names] of byResource)
    for (const obj of objectsOf(qualified)) {
      if (!quotaSelects(quota, qualified, obj)) continue;
      const u = usageOf(qualified, obj, nowMs).mask(names);
      for (const [k, v] of u.values) total.add(k, v, u.isBinary(k));
    }
  // Sums print in the family (binary/decimal) of the limit, as upstream's quantities keep it.
  const hard = Usage.from(quota.spec?.hard);
  const out = new Usage();
  for (const n of hardNames) out.add(n, total.get(n), total.isBinary(n) || hard.isBinary(n));
  return out.toList();
}

const sameList = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());

export class ResourceQuotaController implements Controller {
  readonly name = controllerName;
  private readonly runner: QueueRunner;
  private readonly quotas: Informer<Q>;
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly resyncMs: number;

  constructor(private readonly ctx: ControllerContext) {
    this.resyncMs = Number(ctx.options?.resourceQuotaSyncPeriodMs ?? 300_000);
    this.runner = new QueueRunner(ctx, controllerName, (k) => this.reconcile(k), { workers: 2 });
    this.quotas = ctx.informers.informerFor<Q>(refs.resourcequotas);
    this.quotas.addEventHandler({
      onAdd: (q) => this.runner.enqueue(keyOf(q)),
      onUpdate: (_, q) => this.runner.enqueue(keyOf(q)),
    });
    for (const [qualified, ref] of Object.entries(counted)) {
      const inf = qualified === 'resourcequotas' ? (this.quotas as unknown as Informer<KubeObject>) : ctx.informers.informerFor<KubeObject>(ref);
      this.informers.set(qualified, inf);
      const touched = (o: KubeObject) => this.enqueueNamespace(o.metadata?.namespace ?? '');
      inf.addEventHandler({ onAdd: touched, onUpdate: (_, o) => touched(o), onDelete: touched });
    }
  }

  private enqueueNamespace(ns: string): void {
    for (const q of this.quotas.store.byIndex('namespace', ns)) this.runner.enqueue(keyOf(q));
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace: ns, name } = splitKey(key);
    const quota = this.quotas.store.getByName(ns, name);
    if (!quota) return;
    const objectsOf = (qualified: string) => this.informers.get(qualified)?.store.byIndex('namespace', ns) ?? [];
    const used = calculateUsed(quota, objectsOf, this.ctx.clock.now().getTime());
    const hard = { ...(quota.spec?.hard ?? {}) } as Record<string, string>;
    if (!sameList(hard, quota.status?.hard as Record<string, string>) || !sameList(used, quota.status?.used as Record<string, string>)) {
      try {
        await this.ctx.client.resource<Q>(refs.resourcequotas).update({ ...quota, status: { hard, used } }, 'status');
      } catch (err) {
        if (isNotFound(err)) return;
        if (isConflict(err)) return { requeueAfterMs: 100 };
        throw err;
      }
    }
    return { requeueAfterMs: this.resyncMs };
  }
}
