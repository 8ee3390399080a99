/**
 * @module The PersistentVolume binder ("persistent-volume-binder", upstream
 * pkg/controller/volume/persistentvolume): one queue of `claim:<ns>/<name>` and
 * `volume:<name>` keys over informers for claims, volumes and storage classes. Any volume
 * change re-queues every unbound claim, since it may now match one of them; a periodic resync
 * (`pvResyncPeriodMs`, 15 s as upstream) catches what events cannot (a claim's class created
 * later). The syncs themselves live in `persistentvolume/binder.ts`.
 */
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs, splitKey } from '../client/refs.ts';
import type { Controller, ControllerContext } from './framework/controller.ts';
import { QueueRunner } from './framework/controller.ts';
import { Binder, type SC } from './persistentvolume/binder.ts';
import type { PV, PVC } from './persistentvolume/matching.ts';

export const controllerName = 'persistent-volume-binder';

export class PersistentVolumeController implements Controller {
  readonly name = controllerName;
  private readonly claims: Informer<PVC>;
  private readonly volumes: Informer<PV>;
  private readonly classes: Informer<SC>;
  private readonly runner: QueueRunner;
  private readonly binder: Binder;
  private readonly resyncMs: number;

  constructor(private readonly ctx: ControllerContext) {
    this.resyncMs = Number(ctx.options?.pvResyncPeriodMs ?? 15_000);
    this.claims = ctx.informers.informerFor<PVC>(refs.persistentvolumeclaims);
    this.volumes = ctx.informers.informerFor<PV>(refs.persistentvolumes);
    this.classes = ctx.informers.informerFor<SC>(refs.storageclasses);
    this.runner = new QueueRunner(ctx, controllerName, (key) => this.reconcile(key));
    this.binder = new Binder(ctx, {
      volumes: () => this.volumes.store.list(),
      volume: (name) => this.volumes.store.getByName(undefined, name),
      claim: (ns, name) => this.claims.store.getByName(ns, name),
      storageClass: (name) => this.classes.store.getByName(undefined, name),
    });
    const claimKey = (c: KubeObject) => this.runner.enqueue(`claim:${keyOf(c)}`);
    this.claims.addEventHandler({
      onAdd: claimKey,
      onUpdate: (_o, n) => claimKey(n),
      onDelete: (c) => {
        // The volume it was bound to is now Released.
        const vn = (c as PVC).spec?.volumeName;
        if (vn) this.runner.enqueue(`volume:${vn}`);
      },
    });
    const volumeKey = (v: PV) => {
      this.runner.enqueue(`volume:${keyOf(v)}`);
      const ref = v.spec?.claimRef;
      if (ref?.name) this.runner.enqueue(`claim:${ref.namespace}/${ref.name}`);
      this.enqueueUnboundClaims();
    };
    this.volumes.addEventHandler({
      onAdd: volumeKey,
      onUpdate: (_o, n) => volumeKey(n),
      onDelete: (v) => {
        const ref = (v as PV).spec?.claimRef;
        if (ref?.name) this.runner.enqueue(`claim:${ref.namespace}/${ref.name}`);
      },
    });
    this.classes.addEventHandler({ onAdd: () => this.enqueueUnboundClaims(), onUpdate: () => this.enqueueUnboundClaims() });
  }

  private enqueueUnboundClaims(): void {
    for (const c of this.claims.store.list()) if (!c.spec?.volumeName) this.runner.enqueue(`claim:${keyOf(c)}`);
  }

  async run(signal: AbortSignal): Promise<void> {
    const resync = async () => {
      if (!(await this.ctx.informers.waitForSync(signal))) return;
      while (!signal.aborted) {
        await this.ctx.clock.sleep(this.resyncMs, signal).catch(() => {});
        if (signal.aborted) return;
        for (const c of this.claims.store.list()) this.runner.enqueue(`claim:${keyOf(c)}`);
        for (const v of this.volumes.store.list()) this.runner.enqueue(`volume:${keyOf(v)}`);
      }
    };
    await Promise.all([this.runner.run(signal), resync()]);
  }

  private async reconcile(key: string): Promise<void> {
    const i = key.indexOf(':');
    const kind = key.slice(0, i);
    const { namespace, name } = splitKey(key.slice(i + 1));
    if (kind === 'claim') {
      const c = this.claims.store.getByName(namespace, name);
      if (c) await this.binder.syncClaim(c);
    } else {
      const v = this.volumes.store.getByName(undefined, name);
      if (v) await this.binder.syncVolume(v);
    }
  }
}
