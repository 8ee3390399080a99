/**
 * @module The PV controller's two syncs (upstream pv_controller.go `syncClaim` and
 * `syncVolume`): an unbound claim is bound to the best matching volume, waits for its first
 * consumer, or is handed to its class's provisioner; a bound claim whose volume vanished is
 * Lost. A volume without a claim is Available; one whose claim is gone is Released and then
 * reclaimed (Retain keeps it; Delete is the provisioner's job; a volume nothing can delete
 * is Failed).
 */
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { refs } from '../../client/refs.ts';
import { isNotFound } from '../../machinery/status.ts';
import type { ControllerContext } from '../framework/controller.ts';
import {
  annBetaStorageProvisioner,
  annBindCompleted,
  annBoundByController,
  annProvisionedBy,
  annSelectedNode,
  annStorageProvisioner,
  claimClass,
  findBestMatch,
  isVolumeBoundToClaim,
  type PV,
  type PVC,
} from './matching.ts';

export type SC = StorageClass & KubeObject;

/** What the syncs read: the informers' caches. */
export interface BinderView {
  volumes(): PV[];
  volume(name: string): PV | undefined;
  claim(namespace: string, name: string): PVC | undefined;
  storageClass(name: string): SC | undefined;
}

const asClaim = (c: PVC): PVC => ({ ...c, apiVersion: 'v1', kind: 'PersistentVolumeClaim' });
const asVolume = (v: PV): PV => ({ ...v, apiVersion: 'v1', kind: 'PersistentVolume' });

export class Binder {
  constructor(
    private readonly ctx: ControllerContext,
    private readonly view: BinderView,
  ) {}

  private get pvs() {
    return this.ctx.client.resource<PV>(refs.persistentvolumes);
  }
  private get pvcs() {
    return this.ctx.client.resource<PVC>(refs.persistentvolumeclaims);
  }

  async syncClaim(claim: PVC): Promise<void> {
    if (claim.metadata?.deletionTimestamp) return;
    if (!claim.spec?.volumeName) return this.syncUnboundClaim(claim);
    const volume = this.view.volume(claim.spec.volumeName);
    if (!volume) {
      // A claim that was bound and lost its volume is Lost; one pre-bound by the user waits.
      if (claim.metadata?.annotations?.[annBindCompleted]) {
        if (claim.status?.phase !== 'Lost') {
          this.ctx.recorder.event(asClaim(claim), 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
          await this.setClaimPhase(claim, 'Lost');
        }
      } else await this.setClaimPhase(claim, 'Pending');
      return;
    }
    if (!volume.spec?.claimRef) return this.bind(volume, claim);
    if (isVolumeBoundToClaim(volume, claim)) return this.bind(volume, claim);
    if (claim.metadata?.annotations?.[annBindCompleted]) {
      if (claim.status?.phase !== 'Lost') {
        this.ctx.recorder.event(asClaim(claim), 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
        await this.setClaimPhase(claim, 'Lost');
      }
      return;
    }
    this.ctx.recorder.event(asClaim(claim), 'Warning', 'FailedBinding', `volume "${volume.metadata?.name}" already bound to a different claim.`);
    await this.setClaimPhase(claim, 'Pending');
  }

  private async syncUnboundClaim(claim: PVC): Promise<void> {
    const cls = claimClass(claim);
    const sc = cls ? this.view.storageClass(cls) : undefined;
    const selectedNode = claim.metadata?.annotations?.[annSelectedNode];
    const delayBinding = sc?.volumeBindingMode === 'WaitForFirstConsumer' && !selectedNode;
    const volume = findBestMatch(claim, this.view.volumes(), sc?.volumeBindingMode === 'WaitForFirstConsumer');
    if (volume) return this.bind(volume, claim);
    if (delayBinding) {
      this.ctx.recorder.event(asClaim(claim), 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    } else if (cls) {
      await this.provision(claim, cls, sc);
    } else {
      this.ctx.recorder.event(asClaim(claim), 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    }
    await this.setClaimPhase(claim, 'Pending');
  }

  /** Upstream hands provisioning to an external provisioner by annotating the claim. */
  private async provision(claim: PVC, cls: string, sc: SC | undefined): Promise<void> {
    if (!sc) {
      this.ctx.recorder.event(asClaim(claim), 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${cls}" not found`);
      return;
    }
    const ann = claim.metadata?.annotations ?? {};
    if (ann[annStorageProvisioner] !== sc.provisioner || ann[annBetaStorageProvisioner] !== sc.provisioner) {
      await this.pvcs.update({ ...claim, metadata: { ...claim.metadata, annotations: { ...ann, [annStorageProvisioner]: sc.provisioner, [annBetaStorageProvisioner]: sc.provisioner } } });
    }
    this.ctx.recorder.event(
      asClaim(claim),
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
  }

  /** Binds both sides in upstream's order: volume claimRef, volume phase, claim spec, claim status. */
  async bind(volume: PV, claim: PVC): Promise<void> {
    let v = volume;
    const ref = v.spec?.claimRef;
    if (!ref || ref.uid !== claim.metadata?.uid || ref.resourceVersion === undefined) {
      const ann = { ...v.metadata?.annotations };
      if (!ref) ann[annBoundByController] = 'yes';
      v = await this.pvs.update({
        ...v,
        metadata: { ...v.metadata, annotations: ann },
        spec: {
          ...v.spec,
          claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata?.namespace, name: claim.metadata?.name, uid: claim.metadata?.uid, resourceVersion: claim.metadata?.resourceVersion },
        },
      });
    }
    if (v.status?.phase !== 'Bound') v = await this.pvs.update({ ...v, status: { ...v.status, phase: 'Bound', reason: undefined, message: undefined } }, 'status');
    let c = claim;
    const cAnn = c.metadata?.annotations ?? {};
    if (c.spec?.volumeName !== v.metadata?.name || cAnn[annBindCompleted] !== 'yes') {
      const ann: Record<string, string> = { ...cAnn, [annBindCompleted]: 'yes' };
      if (!c.spec?.volumeName) ann[annBoundByController] = 'yes';
      c = await this.pvcs.update({ ...c, metadata: { ...c.metadata, annotations: ann }, spec: { ...c.spec, volumeName: v.metadata?.name } });
    }
    const cap = v.spec?.capacity?.storage;
    if (c.status?.phase !== 'Bound' || c.status?.capacity?.storage !== cap) {
      await this.pvcs.update({ ...c, status: { ...c.status, phase: 'Bound', accessModes: v.spec?.accessModes, capacity: { ...v.spec?.capacity } } }, 'status');
    }
  }

  async syncVolume(volume: PV): Promise<void> {
    const ref = volume.spec?.claimRef;
    if (!ref) return void (await this.setVolumePhase(volume, 'Available'));
    // Pre-bound by an admin to a claim that does not exist yet: the claim's sync binds it.
    if (!ref.uid) return void (await this.setVolumePhase(volume, 'Available'));
    let claim = this.view.claim(ref.namespace ?? '', ref.name ?? '');
    if (!claim || claim.metadata?.uid !== ref.uid) {
      // The cache may lag a claim that was just created: only a live read decides it is gone.
      claim = await this.pvcs.get(ref.name ?? '', ref.namespace).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
    }
    if (!claim || claim.metadata?.uid !== ref.uid) return this.release(volume);
    if (!claim.spec?.volumeName) return; // The claim's own sync will finish the binding.
    if (claim.spec.volumeName !== volume.metadata?.name) {
      // The claim went to another volume: a volume the controller bound goes back to the pool.
      if (volume.metadata?.annotations?.[annBoundByController]) {
        const ann = { ...volume.metadata.annotations };
        delete ann[annBoundByController];
        const v = await this.pvs.update({ ...volume, metadata: { ...volume.metadata, annotations: ann }, spec: { ...volume.spec, claimRef: undefined } });
        await this.setVolumePhase(v, 'Available');
      }
      return;
    }
    await this.setVolumePhase(volume, 'Bound');
  }

  private async release(volume: PV): Promise<void> {
    let v = volume;
    if (v.status?.phase !== 'Released' && v.status?.phase !== 'Failed') v = await this.setVolumePhase(v, 'Released');
    const policy = v.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain' || v.status?.phase === 'Failed') return;
    if (policy === 'Delete') {
      // A provisioned volume is deleted by its provisioner; Skiff has no in-tree deleters.
      if (v.metadata?.annotations?.[annProvisionedBy]) return;
      this.ctx.recorder.event(asVolume(v), 'Warning', 'VolumeFailedDelete', `error getting deleter volume plugin for volume "${v.metadata?.name}": no deletable volume plugin matched`);
      await this.setVolumePhase(v, 'Failed', 'no deletable volume plugin matched');
      return;
    }
    this.ctx.recorder.event(asVolume(v), 'Warning', 'VolumeUnknownReclaimPolicy', 'Volume has unrecognized PersistentVolumeReclaimPolicy');
  }

  private async setVolumePhase(v: PV, phase: string, message?: string): Promise<PV> {
    if (v.status?.phase === phase && v.status?.message === message) return v;
    return this.pvs.update({ ...v, status: { phase, ...(message ? { message } : {}) } }, 'status');
  }

  private async setClaimPhase(c: PVC, phase: string): Promise<void> {
    if (c.status?.phase === phase) return;
    const status = phase === 'Pending' ? { phase } : { ...c.status, phase };
    await this.pvcs.update({ ...c, status }, 'status');
  }
}
