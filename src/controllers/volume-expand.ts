/**
 * @module The volume expand controller ("expand-controller"; upstream splits it between the
 * in-tree expand controller, the external-resizer and the kubelet): when a bound claim of a
 * class with `allowVolumeExpansion` asks for more storage than its `status.capacity`, the
 * volume's `spec.capacity` grows to the request and the claim's `status.capacity` and
 * `status.allocatedResources` follow, with events `Resizing` and `VolumeResizeSuccessful`.
 * Skiff's volumes (hostPath / local-path directories) have no size limit to enforce, so
 * growing is bookkeeping only: nothing on disk changes.
 */
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs, splitKey } from '../client/refs.ts';
import type { Controller, ControllerContext } from './framework/controller.ts';
import { QueueRunner } from './framework/controller.ts';
import type { SC } from './persistentvolume/binder.ts';
import { claimClass, type PV, type PVC } from './persistentvolume/matching.ts';
import { parseQuantity } from './persistentvolume/quantity.ts';

export const controllerName = 'expand-controller';

const resizeConditions = new Set(['Resizing', 'FileSystemResizePending', 'ControllerResizeError', 'NodeResizeError']);

export class VolumeExpandController implements Controller {
  readonly name = controllerName;
  private readonly claims: Informer<PVC>;
  private readonly volumes: Informer<PV>;
  private readonly classes: Informer<SC>;
  private readonly runner: QueueRunner;

  constructor(private readonly ctx: ControllerContext) {
    this.claims = ctx.informers.informerFor<PVC>(refs.persistentvolumeclaims);
    this.volumes = ctx.informers.informerFor<PV>(refs.persistentvolumes);
    this.classes = ctx.informers.informerFor<SC>(refs.storageclasses);
    this.runner = new QueueRunner(ctx, controllerName, (key) => this.reconcile(key));
    this.claims.addEventHandler({ onAdd: (c) => this.runner.enqueue(keyOf(c)), onUpdate: (_o, n) => this.runner.enqueue(keyOf(n)) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const claim = this.claims.store.getByName(namespace, name);
    if (!claim || claim.metadata?.deletionTimestamp || claim.status?.phase !== 'Bound' || !claim.spec?.volumeName) return;
    const want = claim.spec.resources?.requests?.storage;
    if (want === undefined || !(parseQuantity(want) > parseQuantity(claim.status.capacity?.storage))) return;
    const sc = this.classes.store.getByName(undefined, claimClass(claim));
    if (!sc?.allowVolumeExpansion) return;
    const pv = this.volumes.store.getByName(undefined, claim.spec.volumeName);
    if (!pv) return;
    const asClaim = { ...claim, apiVersion: 'v1', kind: 'PersistentVolumeClaim' } as KubeObject;
    if (parseQuantity(pv.spec?.capacity?.storage) < parseQuantity(want)) {
      this.ctx.recorder.event(asClaim, 'Normal', 'Resizing', `External resizer is resizing volume ${pv.metadata?.name}`);
      // The volume first, so the PV binder (which copies the volume's capacity to the claim) agrees.
      await this.ctx.client.resource<PV>(refs.persistentvolumes).update({ ...pv, spec: { ...pv.spec, capacity: { ...pv.spec?.capacity, storage: want } } });
    }
    const conditions = (claim.status.conditions ?? []).filter((c) => !resizeConditions.has(c.type));
    await this.ctx.client.resource<PVC>(refs.persistentvolumeclaims).update(
      {
        ...claim,
        status: {
          ...claim.status,
          capacity: { ...claim.status.capacity, storage: want },
          allocatedResources: { ...claim.status.allocatedResources, storage: want },
          allocatedResourceStatuses: undefined,
          conditions: conditions.length ? conditions : undefined,
        },
      },
      'status',
    );
    this.ctx.recorder.event(asClaim, 'Normal', 'VolumeResizeSuccessful', 'Resize volume succeeded');
  }
}
