/**
 * @module The Deployment controller ("deployment-controller", upstream
 * pkg/controller/deployment): for each Deployment it claims its ReplicaSets, then either
 * only scales (paused, or a change of spec.replicas — proportionally across sets mid-rollout)
 * or rolls out the current template with the RollingUpdate or Recreate strategy, keeping
 * revisions, conditions and status as kubectl's rollout commands expect. The steps live in
 * ./deployment/.
 */
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs } from '../client/refs.ts';
import type { ResourceClient } from '../client/rest.ts';
import { selectorFromLabelSelector, type LabelRequirements } from '../machinery/labels.ts';
import { isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext, type ReconcileResult } from './framework/controller.ts';
import { controllerOf } from './framework/owner.ts';
import { byControllerUID, claimObjects, controllerUIDIndex, type PodObject } from './framework/pod-control.ts';
import { rolloutRecreate } from './deployment/recreate.ts';
import { activeSets } from './deployment/replicas.ts';
import { annotatedNumber, desiredReplicasAnnotation } from './deployment/revision.ts';
import { rolloutRolling } from './deployment/rolling.ts';
import { Rollout } from './deployment/rollout.ts';
import { deepCopy, deploymentGVK, desiredReplicas, type D, type RS } from './deployment/types.ts';

export const controllerName = 'deployment-controller';

export class DeploymentController implements Controller {
  readonly name = controllerName;
  private readonly deployments: Informer<D>;
  private readonly sets: Informer<RS>;
  private readonly pods: Informer<PodObject>;
  private readonly runner: QueueRunner;
  private readonly dClient: ResourceClient<D>;
  private readonly rsClient: ResourceClient<RS>;

  constructor(private readonly ctx: ControllerContext) {
    this.dClient = ctx.client.resource<D>(refs.deployments);
    this.rsClient = ctx.client.resource<RS>(refs.replicasets);
    this.runner = new QueueRunner(ctx, this.name, (key) => this.reconcile(key), { workers: 2 });
    this.deployments = ctx.informers.informerFor<D>(refs.deployments);
    this.sets = ctx.informers.informerFor<RS>(refs.replicasets);
    this.pods = ctx.informers.informerFor<PodObject>(refs.pods);
    this.pods.addIndex(controllerUIDIndex, byControllerUID);
    const enqueue = (d: D) => this.runner.enqueue(keyOf(d));
    this.deployments.addEventHandler({ onAdd: enqueue, onUpdate: (_, d) => enqueue(d), onDelete: enqueue });
    this.sets.addEventHandler({
      onAdd: (rs) => this.onSetChange(undefined, rs),
      onUpdate: (old, rs) => this.onSetChange(old, rs),
      onDelete: (rs) => this.ownerOf(rs) && this.runner.enqueue(keyOf(this.ownerOf(rs)!)),
    });
    // Recreate waits for old pods to be gone, so a pod deletion may unblock it.
    this.pods.addEventHandler({ onDelete: (p) => this.onPodDelete(p) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private ownerOf(rs: RS, ref = controllerOf(rs)): D | undefined {
    if (!ref || ref.kind !== deploymentGVK.kind) return undefined;
    const d = this.deployments.store.getByName(rs.metadata?.namespace, ref.name);
    return d?.metadata?.uid === ref.uid ? d : undefined;
  }

  private onSetChange(old: RS | undefined, rs: RS): void {
    if (old && old.metadata?.resourceVersion === rs.metadata?.resourceVersion) return;
    const oldRef = old && controllerOf(old);
    const curRef = controllerOf(rs);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const prior = this.ownerOf(old, oldRef);
      if (prior) this.runner.enqueue(keyOf(prior));
    }
    if (curRef) {
      const d = this.ownerOf(rs, curRef);
      if (d) this.runner.enqueue(keyOf(d));
      return;
    }
    if (rs.metadata?.deletionTimestamp) return;
    // An orphan: every Deployment that selects it may want to adopt it.
    for (const d of this.deployments.store.byIndex('namespace', rs.metadata?.namespace ?? '')) {
      try {
        const sel = selectorFromLabelSelector(d.spec?.selector);
        if (!sel.everything && sel.matches(rs.metadata?.labels ?? {})) this.runner.enqueue(keyOf(d));
      } catch {
        // invalid selectors select nothing
      }
    }
  }

  private onPodDelete(pod: PodObject): void {
    const rsRef = controllerOf(pod);
    if (!rsRef || rsRef.kind !== 'ReplicaSet') return;
    const rs = this.sets.store.getByName(pod.metadata?.namespace, rsRef.name);
    if (!rs || rs.metadata?.uid !== rsRef.uid) return;
    const d = this.ownerOf(rs);
    if (d && d.spec?.strategy?.type === 'Recreate') this.runner.enqueue(keyOf(d));
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const cached = this.deployments.store.get(key);
    if (!cached) return;
    const d: D = { ...deepCopy(cached), ...deploymentGVK };
    const ns = d.metadata?.namespace ?? '';
    let selector: LabelRequirements;
    try {
      selector = selectorFromLabelSelector(d.spec?.selector);
    } catch (err) {
      this.ctx.logger.warn('invalid deployment selector', { key, err: err as Error });
      return;
    }
    if (selector.everything) {
      this.ctx.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0))
        await this.dClient.update({ ...d, status: { ...d.status, observedGeneration: d.metadata?.generation } }, 'status');
      return;
    }
    const candidates = this.sets.store.byIndex('namespace', ns);
    const rsList = await claimObjects(this.rsClient, d, deploymentGVK, selector, candidates, () =>
      this.dClient.get(d.metadata!.name!, ns).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      }),
    );
    const r = new Rollout({ deployments: this.dClient, replicaSets: this.rsClient, recorder: this.ctx.recorder, clock: this.ctx.clock }, d, rsList);
    if (d.metadata?.deletionTimestamp) {
      const { newRS, oldRSs } = await r.allReplicaSets(false);
      await r.syncStatus([...oldRSs, newRS], newRS);
      return;
    }
    await r.checkPausedConditions();
    if (d.spec?.paused || isScalingEvent(d, rsList)) {
      await r.sync();
      return;
    }
    if (d.spec?.strategy?.type === 'Recreate') await rolloutRecreate(r, this.podsByOwner(rsList, selector));
    else await rolloutRolling(r);
    if (r.requeueAfterMs !== undefined) return { requeueAfterMs: r.requeueAfterMs };
  }

  /** getPodMapForDeployment: the selected pods of each claimed ReplicaSet, by its uid. */
  private podsByOwner(rsList: RS[], selector: LabelRequirements): Map<string, PodObject[]> {
    const out = new Map<string, PodObject[]>();
    for (const rs of rsList) {
      const uid = rs.metadata?.uid ?? '';
      out.set(uid, this.pods.store.byIndex(controllerUIDIndex, uid).filter((p) => selector.matches(p.metadata?.labels ?? {})));
    }
    return out;
  }
}

/** isScalingEvent: an active set was sized for a different spec.replicas than the current one. */
function isScalingEvent(d: D, rsList: RS[]): boolean {
  return activeSets(rsList).some((rs) => {
    const desired = annotatedNumber(rs, desiredReplicasAnnotation);
    return desired !== undefined && desired !== desiredReplicas(d);
  });
}
