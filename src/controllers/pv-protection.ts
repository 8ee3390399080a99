/**
 * @module The PV protection controller ("pv-protection-controller", upstream
 * pkg/controller/volume/pvprotection): every volume carries the `kubernetes.io/pv-protection`
 * finalizer (added by admission, or here), and a volume being deleted keeps it while it is
 * Bound to a claim.
 */
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs } from '../client/refs.ts';
import { isNotFound } from '../machinery/status.ts';
import type { Controller, ControllerContext } from './framework/controller.ts';
import { QueueRunner } from './framework/controller.ts';

export const controllerName = 'pv-protection-controller';
export const pvProtectionFinalizer = 'kubernetes.io/pv-protection';

type PV = PersistentVolume & KubeObject;

export class PvProtectionController implements Controller {
  readonly name = controllerName;
  private readonly volumes: Informer<PV>;
  private readonly runner: QueueRunner;

  constructor(private readonly ctx: ControllerContext) {
    this.volumes = ctx.informers.informerFor<PV>(refs.persistentvolumes);
    this.runner = new QueueRunner(ctx, controllerName, (key) => this.reconcile(key));
    this.volumes.addEventHandler({ onAdd: (v) => this.runner.enqueue(keyOf(v)), onUpdate: (_o, n) => this.runner.enqueue(keyOf(n)) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private async reconcile(key: string): Promise<void> {
    const pv = this.volumes.store.getByName(undefined, key);
    if (!pv) return;
    const finalizers = pv.metadata?.finalizers ?? [];
    const has = finalizers.includes(pvProtectionFinalizer);
    let next: string[] | undefined;
    if (!pv.metadata?.deletionTimestamp) {
      if (!has) next = [...finalizers, pvProtectionFinalizer];
    } else if (has && pv.status?.phase !== 'Bound') next = finalizers.filter((f) => f !== pvProtectionFinalizer);
    if (!next) return;
    try {
      await this.ctx.client.resource<PV>(refs.persistentvolumes).update({ ...pv, metadata: { ...pv.metadata, finalizers: next } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
