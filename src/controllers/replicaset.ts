/**
 * @module The ReplicaSet controller ("replicaset-controller", upstream
 * pkg/controller/replicaset): keeps `spec.replicas` active pods per ReplicaSet. It adopts
 * matching orphans and releases owned pods that stopped matching, creates in slow-start
 * batches, deletes the least valuable pods first, waits on expectations so a lagging cache
 * never double-creates, and reports replicas/ready/available and ReplicaFailure in status.
 * The engine is parameterised by kind, so ReplicationControllers reuse it unchanged.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { refs, keyOf } from '../client/refs.ts';
import type { ResourceClient, ResourceRef } from '../client/rest.ts';
import type { Informer } from '../client/cache/informer.ts';
import { selectorFromLabelSelector, selectorFromSet, type LabelRequirements } from '../machinery/labels.ts';
import { isNotFound, isConflict } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext, type ReconcileResult } from './framework/controller.ts';
import { Expectations } from './framework/expectations.ts';
import { controllerOf } from './framework/owner.ts';
import {
  byControllerUID,
  byControllerUIDOrOrphan,
  claimCandidates,
  claimObjects,
  controllerUIDIndex,
  controllerUIDOrOrphanIndex,
  isPodActive,
  isPodAvailable,
  isPodReady,
  podFromTemplate,
  podsToDelete,
  slowStartBatch,
  type PodObject,
} from './framework/pod-control.ts';

/** Upstream's burstReplicas: at most this many creations or deletions per sync. */
const burstReplicas = 500;

export interface ReplicaSetLikeStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
}

/** What ReplicaSets and ReplicationControllers share. */
export type ReplicaSetLike = KubeObject & {
  spec?: { replicas?: number; minReadySeconds?: number; template?: PodTemplateSpec };
  status?: ReplicaSetLikeStatus;
};

/** How one kind plugs into the engine. */
export interface ReplicaSetKind<T extends ReplicaSetLike> {
  controllerName: string;
  ref: ResourceRef;
  gvk: { apiVersion: string; kind: string };
  selector(obj: T): LabelRequirements;
}

export const replicaSetKind: ReplicaSetKind<ReplicaSet & KubeObject & ReplicaSetLike> = {
  controllerName: 'replicaset-controller',
  ref: refs.replicasets,
  gvk: { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  selector: (rs) => selectorFromLabelSelector(rs.spec?.selector),
};

export class ReplicaSetEngine<T extends ReplicaSetLike> implements Controller {
  readonly name: string;
  private readonly sets: Informer<T>;
  private readonly pods: Informer<PodObject>;
  private readonly runner: QueueRunner;
  private readonly expectations: Expectations;
  /** Pod keys each owner is waiting to see deleted (upstream's UID-tracking expectations). */
  private readonly deleting = new Map<string, Set<string>>();
  private readonly setClient: ResourceClient<T>;
  private readonly podClient: ResourceClient<PodObject>;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kind: ReplicaSetKind<T>,
  ) {
    this.name = kind.controllerName;
    this.expectations = new Expectations(ctx.clock);
    this.setClient = ctx.client.resource<T>(kind.ref);
    this.podClient = ctx.client.resource<PodObject>(refs.pods);
    this.runner = new QueueRunner(ctx, this.name, (key) => this.reconcile(key), { workers: 2 });
    this.sets = ctx.informers.informerFor<T>(kind.ref);
    this.pods = ctx.informers.informerFor<PodObject>(refs.pods);
    this.pods.addIndex(controllerUIDIndex, byControllerUID);
    this.pods.addIndex(controllerUIDOrOrphanIndex, byControllerUIDOrOrphan);
    this.sets.addIndex(controllerUIDIndex, byControllerUID);
    this.sets.addEventHandler({
      onAdd: (o) => this.runner.enqueue(keyOf(o)),
      onUpdate: (_, o) => this.runner.enqueue(keyOf(o)),
      onDelete: (o) => {
        this.expectations.forget(keyOf(o));
        this.deleting.delete(keyOf(o));
        this.runner.enqueue(keyOf(o));
      },
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.onPodAdd(p),
      onUpdate: (old, cur) => this.onPodUpdate(old, cur),
      onDelete: (p) => this.onPodDelete(p),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  /** The owner a controllerRef names, if it is of our kind and still the same object. */
  private ownerOf(pod: PodObject, ref = controllerOf(pod)): T | undefined {
    if (!ref || ref.kind !== this.kind.gvk.kind) return undefined;
    const owner = this.sets.store.getByName(pod.metadata?.namespace, ref.name);
    return owner?.metadata?.uid === ref.uid ? owner : undefined;
  }

  private enqueueMatching(pod: PodObject): void {
    for (const s of this.sets.store.byIndex('namespace', pod.metadata?.namespace ?? '')) {
      try {
        if (this.kind.selector(s).matches(pod.metadata?.labels ?? {})) this.runner.enqueue(keyOf(s));
      } catch {
        // an invalid selector matches nothing
      }
    }
  }

  private onPodAdd(pod: PodObject): void {
    if (pod.metadata?.deletionTimestamp) return this.onPodDelete(pod);
    const ref = controllerOf(pod);
    if (ref) {
      const owner = this.ownerOf(pod, ref);
      if (!owner) return;
      this.expectations.creationObserved(keyOf(owner));
      this.runner.enqueue(keyOf(owner));
      return;
    }
    this.enqueueMatching(pod);
  }

  private onPodUpdate(old: PodObject, cur: PodObject): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp) {
      this.onPodDelete(cur);
      if (labelsChanged) this.onPodDelete(old);
      return;
    }
    const oldRef = controllerOf(old);
    const curRef = controllerOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const prior = this.ownerOf(old, oldRef);
      if (prior) this.runner.enqueue(keyOf(prior));
    }
    if (curRef) {
      const owner = this.ownerOf(cur, curRef);
      if (!owner) return;
      const key = keyOf(owner);
      this.runner.enqueue(key);
      // A pod that just became ready becomes available minReadySeconds later: look again then.
      const minReady = owner.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.runner.queue.addAfter(key, minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) this.enqueueMatching(cur);
  }

  private onPodDelete(pod: PodObject): void {
    const owner = this.ownerOf(pod);
    if (!owner) return;
    const key = keyOf(owner);
    const waiting = this.deleting.get(key);
    if (waiting?.delete(keyOf(pod))) this.expectations.deletionObserved(key);
    this.runner.enqueue(key);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const cached = this.sets.store.get(key);
    if (!cached) {
      this.expectations.forget(key);
      this.deleting.delete(key);
      return;
    }
    const set = { ...cached, apiVersion: this.kind.gvk.apiVersion, kind: this.kind.gvk.kind } as T;
    const needsSync = this.expectations.satisfied(key);
    let selector: LabelRequirements;
    try {
      selector = this.kind.selector(set);
    } catch (err) {
      this.ctx.logger.warn('invalid selector', { key, err: err as Error });
      return;
    }
    // Only pods this set controls and its namespace's orphans can be claimed (upstream getRSPods);
    // pods of other owners are skipped by the claim anyway, so listing them costs O(namespace).
    const active = claimCandidates(this.pods.store, set).filter(isPodActive);
    const owned = await claimObjects(this.podClient, set, this.kind.gvk, selector, active, () =>
      this.setClient.get(set.metadata!.name!, set.metadata?.namespace).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      }),
    );
    let manageErr: unknown;
    let diff = 0;
    if (needsSync && !set.metadata?.deletionTimestamp) {
      diff = owned.length - (set.spec?.replicas ?? 1);
      manageErr = await this.manageReplicas(key, set, owned, diff).then(
        () => undefined,
        (e: unknown) => e,
      );
    }
    const status = this.calculateStatus(set, owned, manageErr, diff);
    const updated = await this.updateStatus(set, status);
    if (manageErr) throw manageErr;
    const minReady = updated.spec?.minReadySeconds ?? 0;
    const want = updated.spec?.replicas ?? 1;
    if (minReady > 0 && status.readyReplicas === want && status.availableReplicas !== want) return { requeueAfterMs: minReady * 1000 };
  }

  private async manageReplicas(key: string, set: T, owned: PodObject[], diff: number): Promise<void> {
    const ns = set.metadata?.namespace ?? '';
    const name = set.metadata?.name ?? '';
    if (diff < 0) {
      const want = Math.min(-diff, burstReplicas);
      this.expectations.expect(key, want, 0);
      const res = await slowStartBatch(want, 1, async () => {
        const pod = podFromTemplate(set.spec?.template, set, this.kind.gvk, `${name}-`);
        try {
          const created = await this.podClient.create(pod, ns);
          this.ctx.recorder.event(set, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name ?? ''}`);
        } catch (err) {
          this.ctx.recorder.event(set, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
          throw err;
        }
      });
      // Creations that failed or were never tried will never be observed.
      for (let i = res.ok; i < want; i++) this.expectations.creationObserved(key);
      if (res.err) throw res.err;
      return;
    }
    if (diff > 0) {
      const count = Math.min(diff, burstReplicas);
      const victims = podsToDelete(owned, this.relatedPods(set), count, this.ctx.clock.now());
      const waiting = new Set(victims.map((p) => keyOf(p)));
      this.deleting.set(key, waiting);
      this.expectations.expect(key, 0, victims.length);
      const results = await Promise.allSettled(
        victims.map(async (p) => {
          try {
            await this.podClient.delete(p.metadata!.name!, { namespace: ns });
            this.ctx.recorder.event(set, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name ?? ''}`);
          } catch (err) {
            if (waiting.delete(keyOf(p))) this.expectations.deletionObserved(key);
            if (isNotFound(err)) return;
            this.ctx.recorder.event(set, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
            throw err;
          }
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  /**
   * Pods of every set with the same controlling owner (e.g. all ReplicaSets of a Deployment),
   * so scale-down spreads across nodes (upstream getIndirectlyRelatedPods).
   */
  private relatedPods(set: T): PodObject[] {
    const owner = controllerOf(set);
    const siblings = owner ? this.sets.store.byIndex(controllerUIDIndex, owner.uid) : [set];
    return siblings.flatMap((s) => this.pods.store.byIndex(controllerUIDIndex, s.metadata?.uid ?? ''));
  }

  private calculateStatus(set: T, owned: PodObject[], manageErr: unknown, diff: number): ReplicaSetLikeStatus {
    const templateLabels = selectorFromSet(set.spec?.template?.metadata?.labels ?? {});
    const now = this.ctx.clock.now();
    const minReady = set.spec?.minReadySeconds ?? 0;
    let conditions = [...(set.status?.conditions ?? [])];
    const failure = conditions.find((c) => c.type === 'ReplicaFailure');
    if (manageErr && !failure) {
      conditions.push({
        type: 'ReplicaFailure',
        status: 'True',
        reason: diff < 0 ? 'FailedCreate' : 'FailedDelete',
        message: (manageErr as Error).message ?? String(manageErr),
        lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
      });
    } else if (!manageErr && failure) {
      conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
    }
    const status: ReplicaSetLikeStatus = {
      replicas: owned.length,
      fullyLabeledReplicas: owned.filter((p) => templateLabels.matches(p.metadata?.labels ?? {})).length,
      readyReplicas: owned.filter(isPodReady).length,
      availableReplicas: owned.filter((p) => isPodAvailable(p, minReady, now)).length,
      observedGeneration: set.metadata?.generation,
    };
    if (conditions.length) status.conditions = conditions;
    return status;
  }

  /** Writes status when it changed, re-reading once on a conflict (updateReplicaSetStatus). */
  private async updateStatus(set: T, status: ReplicaSetLikeStatus): Promise<T> {
    const same = (s: ReplicaSetLikeStatus | undefined) =>
      (s?.replicas ?? 0) === status.replicas &&
      (s?.fullyLabeledReplicas ?? 0) === status.fullyLabeledReplicas &&
      (s?.readyReplicas ?? 0) === status.readyReplicas &&
      (s?.availableReplicas ?? 0) === status.availableReplicas &&
      s?.observedGeneration === status.observedGeneration &&
      JSON.stringify(s?.conditions ?? []) === JSON.stringify(status.conditions ?? []);
    let current = set;
    for (let attempt = 0; ; attempt++) {
      if (same(current.status) && current.metadata?.generation === status.observedGeneration) return current;
      try {
        return await this.setClient.update({ ...current, status: { ...status, observedGeneration: current.metadata?.generation } } as T, 'status');
      } catch (err) {
        if (!isConflict(err) || attempt > 0) throw err;
        current = await this.setClient.get(set.metadata!.name!, set.metadata?.namespace);
      }
    }
  }
}

export class ReplicaSetController extends ReplicaSetEngine<ReplicaSet & KubeObject & ReplicaSetLike> {
  constructor(ctx: ControllerContext) {
    super(ctx, replicaSetKind);
  }
}
