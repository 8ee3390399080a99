/**
 * @module The PVC protection controller ("pvc-protection-controller", upstream
 * pkg/controller/volume/pvcprotection): every claim carries the `kubernetes.io/pvc-protection`
 * finalizer (added by admission, or here for older claims), and a claim being deleted keeps it
 * while any pod that is not Succeeded or Failed uses the claim, directly or through an
 * ephemeral volume (`<pod>-<volume>`). Before removing it, a live list of the namespace's pods
 * confirms what the cache says, as upstream does, so a pod created a moment ago counts.
 */
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs, splitKey } from '../client/refs.ts';
import { isNotFound } from '../machinery/status.ts';
import type { Controller, ControllerContext } from './framework/controller.ts';
import { QueueRunner } from './framework/controller.ts';

export const controllerName = 'pvc-protection-controller';
export const pvcProtectionFinalizer = 'kubernetes.io/pvc-protection';

type PVC = PersistentVolumeClaim & KubeObject;
type P = Pod & KubeObject;

/** The claim names a pod uses (persistentVolumeClaim volumes and generic ephemeral volumes). */
export function claimsOfPod(pod: P): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) =>
    v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : v.ephemeral ? [`${pod.metadata?.name}-${v.name}`] : [],
  );
}

const podUsesClaim = (pod: P, claim: string): boolean =>
  pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' && claimsOfPod(pod).includes(claim);

export class PvcProtectionController implements Controller {
  readonly name = controllerName;
  private readonly claims: Informer<PVC>;
  private readonly pods: Informer<P>;
  private readonly runner: QueueRunner;

  constructor(private readonly ctx: ControllerContext) {
    this.claims = ctx.informers.informerFor<PVC>(refs.persistentvolumeclaims);
    this.pods = ctx.informers.informerFor<P>(refs.pods);
    this.runner = new QueueRunner(ctx, controllerName, (key) => this.reconcile(key));
    this.claims.addEventHandler({ onAdd: (c) => this.runner.enqueue(keyOf(c)), onUpdate: (_o, n) => this.runner.enqueue(keyOf(n)) });
    const podClaims = (p: KubeObject) => {
      for (const c of claimsOfPod(p as P)) this.runner.enqueue(`${p.metadata?.namespace}/${c}`);
    };
    this.pods.addEventHandler({ onAdd: podClaims, onUpdate: (_o, n) => podClaims(n), onDelete: podClaims });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const claim = this.claims.store.getByName(namespace, name);
    if (!claim) return;
    const finalizers = claim.metadata?.finalizers ?? [];
    const has = finalizers.includes(pvcProtectionFinalizer);
    if (!claim.metadata?.deletionTimestamp) {
      if (!has) await this.setFinalizers(claim, [...finalizers, pvcProtectionFinalizer]);
      return;
    }
    if (!has) return;
    if (this.pods.store.byIndex('namespace', namespace).some((p) => podUsesClaim(p, name))) return;
    const live = await this.ctx.client.resource<P>(refs.pods).list({ namespace });
    if (live.items.some((p) => podUsesClaim(p as P, name))) return;
    await this.setFinalizers(claim, finalizers.filter((f) => f !== pvcProtectionFinalizer));
  }

  private async setFinalizers(claim: PVC, finalizers: string[]): Promise<void> {
    try {
      await this.ctx.client.resource<PVC>(refs.persistentvolumeclaims).update({ ...claim, metadata: { ...claim.metadata, finalizers } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
