/**
 * @module The StatefulSet controller ("statefulset-controller", upstream
 * pkg/controller/statefulset): stable pods `<set>-<ordinal>` with per-ordinal claims,
 * created and removed in order (OrderedReady) or all at once (Parallel), rolled out through
 * ControllerRevisions with RollingUpdate (highest ordinal first, down to the partition) or
 * OnDelete. Each pass: claim retention → revisions → update algorithm → status → history
 * truncation.
 */
import type { KubeObject } from '../api/object.ts';
import { selectorFromLabelSelector } from '../machinery/labels.ts';
import { isConflict, isNotFound } from '../machinery/status.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs } from '../client/refs.ts';
import type { Controller, ControllerContext, ReconcileResult } from './framework/controller.ts';
import { QueueRunner } from './framework/controller.ts';
import type { Revision } from './framework/history.ts';
import { controllerOf } from './framework/owner.ts';
import { byControllerUIDOrOrphan, claimCandidates, claimObjects, controllerUIDOrOrphanIndex } from './framework/pod-control.ts';
import { syncClaimRetention } from './statefulset/claim-retention.ts';
import { isMemberOf, statefulSetKind, type P, type PVC, type SS } from './statefulset/identity.ts';
import { APIStatefulPodControl, type StatefulPodControl } from './statefulset/pod-control.ts';
import { statefulSetRevisions, truncateHistory } from './statefulset/revisions.ts';
import { completeRollingUpdate, updateStatefulSet, type MutableStatus } from './statefulset/update.ts';

export const controllerName = 'statefulset-controller';

const statusFields = ['observedGeneration', 'replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'currentRevision', 'updateRevision', 'collisionCount'] as const;

function selects(set: SS, o: KubeObject): boolean {
  try {
    const sel = selectorFromLabelSelector(set.spec?.selector);
    return !sel.everything && sel.matches(o.metadata?.labels ?? {});
  } catch {
    return false;
  }
}

export class StatefulSetController implements Controller {
  readonly name = controllerName;
  private readonly runner: QueueRunner;
  private readonly sets: Informer<SS>;
  private readonly pods: Informer<P>;
  private readonly revisions: Informer<Revision>;
  private readonly claims: Informer<PVC>;
  private readonly control: StatefulPodControl;

  constructor(private readonly ctx: ControllerContext) {
    const inf = ctx.informers;
    this.control = new APIStatefulPodControl(ctx.client, ctx.recorder);
    this.runner = new QueueRunner(ctx, controllerName, (key) => this.reconcile(key), { workers: 2 });
    this.sets = inf.informerFor<SS>(refs.statefulsets);
    this.pods = inf.informerFor<P>(refs.pods).addIndex(controllerUIDOrOrphanIndex, byControllerUIDOrOrphan);
    this.revisions = inf.informerFor<Revision>(refs.controllerrevisions);
    this.claims = inf.informerFor<PVC>(refs.persistentvolumeclaims);

    const enqueue = (s: SS) => this.runner.enqueue(keyOf(s));
    this.sets.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    const podChanged = (p: P) => {
      const s = this.ownerOf(p);
      if (s) return enqueue(s);
      // An orphan named like a set's pod may be adopted by it.
      if (controllerOf(p) || p.metadata?.deletionTimestamp) return;
      for (const set of this.sets.store.byIndex('namespace', p.metadata?.namespace ?? '')) if (isMemberOf(set, p) && selects(set, p)) enqueue(set);
    };
    this.pods.addEventHandler({
      onAdd: podChanged,
      onUpdate: (o, n) => {
        podChanged(n);
        if (controllerOf(o)?.uid !== controllerOf(n)?.uid) podChanged(o);
      },
      onDelete: podChanged,
    });
    this.revisions.addEventHandler({ onDelete: (cr) => this.ownerOf(cr) && enqueue(this.ownerOf(cr)!) });
    // A claim's owners may need fixing (retention policy): wake the sets whose selector it matches.
    const claimChanged = (c: PVC) => {
      for (const set of this.sets.store.byIndex('namespace', c.metadata?.namespace ?? '')) if (selects(set, c)) enqueue(set);
    };
    this.claims.addEventHandler({ onAdd: claimChanged, onUpdate: (_o, n) => claimChanged(n) });
  }

  private ownerOf(o: KubeObject): SS | undefined {
    const ref = controllerOf(o);
    if (ref?.kind !== 'StatefulSet') return undefined;
    const s = this.sets.store.getByName(o.metadata?.namespace, ref.name);
    return s?.metadata?.uid === ref.uid ? s : undefined;
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const set = this.sets.store.get(key);
    if (!set) return;
    const ns = set.metadata?.namespace ?? '';
    const selector = selectorFromLabelSelector(set.spec?.selector);
    const recheck = () =>
      this.ctx.client.resource<SS>(refs.statefulsets).get(set.metadata!.name!, ns).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
    // Adopt orphans (left by an orphaning delete) and release pods that no longer match;
    // only pods named `<set>-<ordinal>` are ever members.
    const candidates = claimCandidates(this.pods.store, set).filter((p) => isMemberOf(set, p) || controllerOf(p)?.uid === set.metadata?.uid);
    const pods = (await claimObjects(this.ctx.client.resource<P>(refs.pods), set, statefulSetKind, selector, candidates, recheck)).filter((p) => isMemberOf(set, p));
    const owned = await claimObjects(this.ctx.client.resource<Revision>(refs.controllerrevisions), set, statefulSetKind, selector, this.revisions.store.byIndex('namespace', ns), recheck);

    // Claim owners follow the retention policy, also when it changed after they were made.
    await syncClaimRetention(this.ctx.client, set, pods, (cns, name) => this.claims.store.getByName(cns, name));
    const { current, update, collisionCount } = await statefulSetRevisions(this.ctx.client, set, owned);
    const status = await updateStatefulSet(set, current, update, collisionCount, pods, this.control, this.ctx.clock.now());
    completeRollingUpdate(set, status);
    await this.writeStatus(set, status);
    await truncateHistory(this.ctx.client, set, pods, owned, current, update);
    const minReady = set.spec?.minReadySeconds ?? 0;
    // Availability arrives with time, not with an event.
    if (minReady > 0 && (status.availableReplicas ?? 0) !== (set.spec?.replicas ?? 1)) return { requeueAfterMs: minReady * 1000 };
  }

  private async writeStatus(set: SS, status: MutableStatus): Promise<void> {
    const old = (set.status ?? {}) as Record<string, unknown>;
    const next = status as Record<string, unknown>;
    if (statusFields.every((f) => (old[f] ?? 0) === (next[f] ?? 0))) return;
    const client = this.ctx.client.resource<SS>(refs.statefulsets);
    let target = set;
    for (let attempt = 0; ; attempt++) {
      try {
        await client.update({ ...target, status: { ...(target.status ?? {}), ...status } } as SS, 'status');
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 1) throw err;
        target = await client.get(set.metadata!.name!, set.metadata?.namespace);
      }
    }
  }
}
