/**
 * @module The DaemonSet controller ("daemonset-controller", upstream pkg/controller/daemon):
 * one pod per eligible node, pinned there by node affinity for the scheduler to bind. Each
 * pass records the template as a ControllerRevision, creates and deletes pods per node, rolls
 * out a new template (RollingUpdate with maxUnavailable/maxSurge; OnDelete waits for users),
 * prunes history and writes status. Failed pods are replaced with a per-node backoff.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { selectorFromLabelSelector } from '../machinery/labels.ts';
import { isConflict, isNotFound } from '../machinery/status.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs } from '../client/refs.ts';
import type { Controller, ControllerContext, ReconcileResult } from './framework/controller.ts';
import { QueueRunner } from './framework/controller.ts';
import { Expectations } from './framework/expectations.ts';
import type { Revision } from './framework/history.ts';
import { controllerOf } from './framework/owner.ts';
import { byControllerUIDOrOrphan, claimCandidates, claimObjects, controllerUIDOrOrphanIndex } from './framework/pod-control.ts';
import { daemonCounts, planManage, podsByNode, type DaemonCounts } from './daemonset/manage.ts';
import { revisionHashLabel, templateGeneration, type P } from './daemonset/pods.ts';
import { cleanupHistory, constructHistory, daemonSetKind } from './daemonset/revisions.ts';
import { planRollingUpdate } from './daemonset/rolling.ts';
import { syncNodes } from './daemonset/sync-nodes.ts';

type DS = DaemonSet & KubeObject;
type N = Node & KubeObject;

export const controllerName = 'daemonset-controller';
const ownerIndex = 'daemonset-controller/owner';
const byOwningDaemonSet = (o: KubeObject): string[] => {
  const ref = controllerOf(o);
  return ref?.kind === 'DaemonSet' ? [ref.uid] : [];
};

/** Failed-pod backoff per DaemonSet and node (upstream failedPodsBackoff: 1 s doubling to 15 min). */
class Backoff {
  private readonly entries = new Map<string, { delay: number; last: number }>();
  constructor(private readonly initialMs: number, private readonly maxMs: number) {}
  /** True (and the delay grows) when a deletion may go ahead now; else the ms left to wait. */
  tryNext(key: string, now: number): true | number {
    const e = this.entries.get(key);
    if (e && now - e.last < e.delay) return e.delay - (now - e.last);
    const delay = e ? Math.min(e.delay * 2, this.maxMs) : this.initialMs;
    this.entries.set(key, { delay, last: now });
    return true;
  }
}

function selects(ds: DS, o: KubeObject): boolean {
  try {
    const sel = selectorFromLabelSelector(ds.spec?.selector);
    return !sel.everything && sel.matches(o.metadata?.labels ?? {});
  } catch {
    return false;
  }
}

export class DaemonSetController implements Controller {
  readonly name = controllerName;
  private readonly runner: QueueRunner;
  private readonly expectations: Expectations;
  private readonly dss: Informer<DS>;
  private readonly pods: Informer<P>;
  private readonly nodes: Informer<N>;
  private readonly revisions: Informer<Revision>;
  private readonly backoff: Backoff;

  constructor(private readonly ctx: ControllerContext) {
    const inf = ctx.informers;
    this.expectations = new Expectations(ctx.clock);
    this.backoff = new Backoff(Number(ctx.options?.daemonSetFailedPodBackoffMs ?? 1000), 15 * 60 * 1000);
    this.runner = new QueueRunner(ctx, controllerName, (key) => this.reconcile(key), { workers: 2 });
    this.dss = inf.informerFor<DS>(refs.daemonsets);
    this.pods = inf.informerFor<P>(refs.pods).addIndex(ownerIndex, byOwningDaemonSet).addIndex(controllerUIDOrOrphanIndex, byControllerUIDOrOrphan);
    this.nodes = inf.informerFor<N>(refs.nodes);
    this.revisions = inf.informerFor<Revision>(refs.controllerrevisions);

    const enqueue = (ds: DS) => this.runner.enqueue(keyOf(ds));
    this.dss.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(p, 'add'),
      onUpdate: (o, n) => {
        if (n.metadata?.deletionTimestamp && !o.metadata?.deletionTimestamp) this.podChanged(n, 'delete');
        else this.podChanged(n);
        if (controllerOf(o)?.uid !== controllerOf(n)?.uid) this.podChanged(o);
      },
      onDelete: (p) => this.podChanged(p, 'delete'),
    });
    const allDaemonSets = () => {
      for (const ds of this.dss.store.list()) enqueue(ds);
    };
    this.nodes.addEventHandler({
      onAdd: allDaemonSets,
      onUpdate: (o, n) => {
        // Heartbeats change only status; eligibility depends on labels, taints and conditions.
        const relevant = (x: N) => JSON.stringify([x.metadata?.labels, x.spec, x.status?.conditions?.map((c) => [c.type, c.status])]);
        if (relevant(o) !== relevant(n)) allDaemonSets();
      },
      onDelete: allDaemonSets,
    });
    this.revisions.addEventHandler({ onDelete: (cr) => this.ownerOf(cr) && enqueue(this.ownerOf(cr)!) });
  }

  private ownerOf(o: KubeObject): DS | undefined {
    const ref = controllerOf(o);
    if (ref?.kind !== 'DaemonSet') return undefined;
    const ds = this.dss.store.getByName(o.metadata?.namespace, ref.name);
    return ds?.metadata?.uid === ref.uid ? ds : undefined;
  }

  private podChanged(p: P, observed?: 'add' | 'delete'): void {
    const ds = this.ownerOf(p);
    if (!ds) {
      // An orphan: every DaemonSet selecting it may adopt it.
      if (!controllerOf(p) && !p.metadata?.deletionTimestamp && observed !== 'delete')
        for (const d of this.dss.store.byIndex('namespace', p.metadata?.namespace ?? '')) if (selects(d, p)) this.runner.enqueue(keyOf(d));
      return;
    }
    const key = keyOf(ds);
    if (observed === 'add') this.expectations.creationObserved(key);
    if (observed === 'delete') this.expectations.deletionObserved(key);
    this.runner.enqueue(key);
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private ownedPods(ds: DS): P[] {
    const selector = selectorFromLabelSelector(ds.spec?.selector);
    return this.pods.store.byIndex(ownerIndex, ds.metadata?.uid ?? '').filter((p) => p.metadata?.namespace === ds.metadata?.namespace && selector.matches(p.metadata?.labels));
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const ds = this.dss.store.get(key);
    if (!ds) {
      this.expectations.forget(key);
      return;
    }
    const sel = ds.spec?.selector;
    if (sel && Object.keys(sel.matchLabels ?? {}).length === 0 && !sel.matchExpressions?.length) {
      this.ctx.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    // History of a DaemonSet being deleted may already be gone: leave it to the collector.
    if (ds.metadata?.deletionTimestamp) return;

    // Adopt matching orphans (pods and revisions left by an orphaning delete), release strays.
    const ns = ds.metadata?.namespace ?? '';
    const selector = selectorFromLabelSelector(ds.spec?.selector);
    const recheck = () =>
      this.ctx.client.resource<DS>(refs.daemonsets).get(ds.metadata!.name!, ns).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
    const claimed = await claimObjects(this.ctx.client.resource<P>(refs.pods), ds, daemonSetKind, selector, claimCandidates(this.pods.store, ds), recheck);
    const owned = await claimObjects(this.ctx.client.resource<Revision>(refs.controllerrevisions), ds, daemonSetKind, selector, this.revisions.store.byIndex('namespace', ns), recheck);
    const { cur, old } = await constructHistory(this.ctx.client, ds, owned);
    const hash = cur.metadata?.labels?.[revisionHashLabel] ?? '';
    const nodes = this.nodes.store.list();
    if (!this.expectations.satisfied(key)) return this.updateStatus(ds, nodes, hash, false);

    const deps = { client: this.ctx.client, recorder: this.ctx.recorder, expectations: this.expectations };
    let requeueAfterMs: number | undefined;
    const now = this.ctx.clock.now();
    const plan = planManage(ds, nodes, podsByNode(claimed), hash, now, (node) => {
      const r = this.backoff.tryNext(`${ds.metadata?.uid}/${ds.status?.observedGeneration ?? 0}/${node}`, now.getTime());
      if (r === true) return true;
      requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, r);
      return false;
    });
    for (const { pod, node } of plan.failed)
      this.ctx.recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata?.namespace}/${pod.metadata?.name} on node ${node}, will try to kill it`);
    for (const { pod, node } of plan.succeeded)
      this.ctx.recorder.event(ds, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${pod.metadata?.namespace}/${pod.metadata?.name} on node ${node}, will try to delete it`);
    let err: unknown;
    try {
      await syncNodes(deps, key, ds, plan.podsToDelete, plan.nodesNeedingPods, hash);
      if (this.expectations.satisfied(key) && ds.spec?.updateStrategy?.type === 'RollingUpdate') {
        const roll = planRollingUpdate(ds, nodes, podsByNode(this.ownedPods(ds)), hash, templateGeneration(ds), now);
        await syncNodes(deps, key, ds, roll.podsToDelete, roll.nodesNeedingPods, hash);
      }
      await cleanupHistory(this.ctx.client, ds, old, this.ownedPods(ds));
    } catch (e) {
      err = e;
    }
    const res = await this.updateStatus(ds, nodes, hash, true);
    if (err) throw err;
    if (requeueAfterMs !== undefined) return { requeueAfterMs: Math.min(requeueAfterMs, res?.requeueAfterMs ?? Infinity) };
    return res;
  }

  private async updateStatus(ds: DS, nodes: readonly N[], hash: string, observe: boolean): Promise<ReconcileResult | void> {
    const counts = daemonCounts(ds, nodes, podsByNode(this.ownedPods(ds)), hash, templateGeneration(ds), this.ctx.clock.now());
    const minReady = ds.spec?.minReadySeconds ?? 0;
    // Availability comes with time, not with an event: look again once it may have come.
    const res = minReady > 0 && counts.numberReady !== counts.numberAvailable ? { requeueAfterMs: minReady * 1000 } : undefined;
    const same = (s: DS['status']) => (Object.keys(counts) as (keyof DaemonCounts)[]).every((k) => (s?.[k] ?? 0) === counts[k]);
    if (same(ds.status) && (ds.status?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0)) return res;
    const client = this.ctx.client.resource<DS>(refs.daemonsets);
    let target = ds;
    for (let attempt = 0; ; attempt++) {
      const status = { ...(target.status ?? {}), ...counts } as NonNullable<DS['status']>;
      if (observe) (status as { observedGeneration?: number }).observedGeneration = ds.metadata?.generation;
      try {
        await client.update({ ...target, status } as DS, 'status');
        return res;
      } catch (err) {
        if (!isConflict(err) || attempt >= 1) throw err;
        target = await client.get(ds.metadata!.name!, ds.metadata?.namespace);
      }
    }
  }
}
