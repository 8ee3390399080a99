/**
 * @module The garbage collector ("garbage-collector-controller"): a dependency graph of
 * ownerReferences over every collectable resource (kept as two indexes on the shared
 * informers: owner uid → dependents, uid → object). An object whose every owner is gone
 * (checked with a live GET, as upstream does) is deleted; an owner being deleted in the
 * foreground has its dependents deleted and keeps its `foregroundDeletion` finalizer until
 * no blockOwnerDeletion dependent remains; an owner with the `orphan` finalizer has its
 * reference removed from every dependent, then the finalizer. See
 * pkg/controller/garbagecollector/garbagecollector.go.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf } from '../client/refs.ts';
import { isConflict, isNotFound } from '../machinery/status.ts';
import type { ResourceInfo } from '../machinery/resources.ts';
import {
  blockingDependents,
  classifyOwners,
  decide,
  foregroundFinalizer,
  hasFinalizer,
  isDeletingDependents,
  orphanFinalizer,
  withoutOwners,
  type OwnerState,
} from './garbage-collector/classify.ts';
import { collectableResources, resolveOwnerKind } from './garbage-collector/resources.ts';
import { QueueRunner, type Controller, type ControllerContext, type ReconcileResult } from './framework/controller.ts';

export const controllerName = 'garbage-collector-controller';
const ownerIndex = 'gc-owner-uid';
const uidIndex = 'gc-uid';
/** A safety net while waiting on dependents: events normally wake the owner first. */
const foregroundRecheckMs = 5_000;

interface Tracked {
  info: ResourceInfo;
  informer: Informer<KubeObject>;
}

const ownerUids = (o: KubeObject): string[] => (o.metadata?.ownerReferences ?? []).map((r) => r.uid);
const sameOwners = (a: KubeObject, b: KubeObject): boolean => ownerUids(a).join(',') === ownerUids(b).join(',');
const gcPending = (o: KubeObject): boolean =>
  !!o.metadata?.deletionTimestamp && (hasFinalizer(o, orphanFinalizer) || hasFinalizer(o, foregroundFinalizer));

export class GarbageCollector implements Controller {
  readonly name = controllerName;
  private readonly tracked: Tracked[];
  private readonly runner: QueueRunner;

  constructor(private readonly ctx: ControllerContext, resources: readonly ResourceInfo[] = collectableResources()) {
    this.runner = new QueueRunner(ctx, controllerName, (k) => this.reconcile(k), { workers: 4 });
    this.tracked = resources.map((info, i) => {
      // Metadata informers, as upstream's collector uses: unless another controller shares the
      // informer, the cache keeps only what the ownership graph needs.
      const informer = ctx.informers.metadataInformerFor(info);
      informer.addIndex(ownerIndex, ownerUids);
      informer.addIndex(uidIndex, (o) => (o.metadata?.uid ? [o.metadata.uid] : []));
      const enqueue = (o: KubeObject) => this.runner.enqueue(`${i}|${keyOf(o)}`);
      informer.addEventHandler({
        onAdd: (o) => {
          if (ownerUids(o).length || gcPending(o)) enqueue(o);
        },
        onUpdate: (old, cur) => {
          if (ownerUids(cur).length || gcPending(cur)) enqueue(cur);
          // An owner waiting in the foreground may have just lost a blocking dependent.
          if (!sameOwners(old, cur)) for (const uid of ownerUids(old)) this.enqueueUid(uid);
          // A new foreground deletion: every dependent is a candidate for deletion now.
          if (isDeletingDependents(cur) && !isDeletingDependents(old)) this.enqueueDependents(cur.metadata?.uid);
        },
        onDelete: (o) => {
          this.enqueueDependents(o.metadata?.uid);
          for (const uid of ownerUids(o)) this.enqueueUid(uid);
        },
      });
      return { info, informer };
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private enqueueUid(uid: string): void {
    this.tracked.forEach((t, i) => {
      for (const o of t.informer.store.byIndex(uidIndex, uid)) this.runner.enqueue(`${i}|${keyOf(o)}`);
    });
  }

  private enqueueDependents(uid: string | undefined): void {
    if (!uid) return;
    this.tracked.forEach((t, i) => {
      for (const o of t.informer.store.byIndex(ownerIndex, uid)) this.runner.enqueue(`${i}|${keyOf(o)}`);
    });
  }

  private dependentsOf(uid: string): { t: Tracked; obj: KubeObject }[] {
    return this.tracked.flatMap((t) => t.informer.store.byIndex(ownerIndex, uid).map((obj) => ({ t, obj })));
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const bar = key.indexOf('|');
    const t = this.tracked[Number(key.slice(0, bar))];
    const obj = t?.informer.store.get(key.slice(bar + 1));
    if (!t || !obj) return;
    if (obj.metadata?.deletionTimestamp) {
      if (hasFinalizer(obj, orphanFinalizer)) return this.orphanDependents(t, obj);
      if (hasFinalizer(obj, foregroundFinalizer)) return this.processDeletingDependents(t, obj);
      return;
    }
    const refs = obj.metadata?.ownerReferences ?? [];
    if (!refs.length) return;
    const states = await Promise.all(refs.map((r) => this.ownerState(obj, r)));
    const hasDependents = this.dependentsOf(obj.metadata!.uid!).length > 0;
    const action = decide(obj, classifyOwners(refs, states), hasDependents);
    if (action.type === 'removeOwnerRefs') await this.patchOwners(t, obj, action.uids);
    else if (action.type === 'delete') {
      this.ctx.logger.info('deleting object whose owners are gone', { resource: t.info.resource, key: keyOf(obj), policy: action.policy });
      await this.deleteObject(t, obj, action.policy);
    }
  }

  /** A live look-up of one owner: upstream's isDangling never trusts the cache for absence. */
  private async ownerState(dependent: KubeObject, ref: OwnerReference): Promise<OwnerState> {
    const info = resolveOwnerKind(
      this.tracked.map((t) => t.info),
      ref.apiVersion,
      ref.kind,
    );
    if (!info) return 'unknown';
    const ns = dependent.metadata?.namespace;
    if (info.namespaced && !ns) {
      this.ctx.recorder.event(
        dependent,
        'Warning',
        'OwnerRefInvalidNamespace',
        `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: , name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ""`,
      );
      return 'absent';
    }
    try {
      const owner = await this.ctx.client.resource<KubeObject>(info).get(ref.name, info.namespaced ? ns : undefined);
      if (owner.metadata?.uid !== ref.uid) return 'absent';
      return isDeletingDependents(owner) ? 'deletingDependents' : 'present';
    } catch (err) {
      if (isNotFound(err)) return 'absent';
      throw err;
    }
  }

  private async deleteObject(t: Tracked, obj: KubeObject, policy: 'Background' | 'Foreground' | 'Orphan'): Promise<void> {
    try {
      await this.ctx.client.resource(t.info).delete(obj.metadata!.name!, {
        namespace: obj.metadata?.namespace,
        propagationPolicy: policy,
        preconditions: { uid: obj.metadata!.uid! },
      });
    } catch (err) {
      // Gone already, or a new object under the same name: nothing of ours to delete.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  private async patchOwners(t: Tracked, obj: KubeObject, uids: readonly string[]): Promise<void> {
    const kept = withoutOwners(obj, uids);
    if (!kept) return;
    await this.patchMeta(t, obj, { ownerReferences: kept.length ? kept : null });
  }

  /** Merge patch guarded by resourceVersion: a stale cache is a conflict and a retry. */
  private async patchMeta(t: Tracked, obj: KubeObject, meta: Record<string, unknown>): Promise<void> {
    try {
      await this.ctx.client.resource(t.info).patch(
        obj.metadata!.name!,
        'merge',
        { metadata: { ...meta, resourceVersion: obj.metadata!.resourceVersion } },
        { namespace: obj.metadata?.namespace },
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async removeFinalizer(t: Tracked, obj: KubeObject, finalizer: string): Promise<void> {
    const rest = (obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    await this.patchMeta(t, obj, { finalizers: rest.length ? rest : null });
  }

  private async orphanDependents(t: Tracked, owner: KubeObject): Promise<void> {
    const uid = owner.metadata!.uid!;
    for (const d of this.dependentsOf(uid)) await this.patchOwners(d.t, d.obj, [uid]);
    this.ctx.logger.info('orphaned dependents', { resource: t.info.resource, key: keyOf(owner) });
    await this.removeFinalizer(t, owner, orphanFinalizer);
  }

  private async processDeletingDependents(t: Tracked, owner: KubeObject): Promise<ReconcileResult | void> {
    const uid = owner.metadata!.uid!;
    const dependents = this.dependentsOf(uid);
    const blocking = blockingDependents(
      dependents.map((d) => d.obj),
      uid,
    );
    if (blocking.length === 0) {
      await this.removeFinalizer(t, owner, foregroundFinalizer);
      return;
    }
    for (const d of dependents) if (!d.obj.metadata?.deletionTimestamp) this.runner.enqueue(`${this.tracked.indexOf(d.t)}|${keyOf(d.obj)}`);
    return { requeueAfterMs: foregroundRecheckMs };
  }
}
