/**
 * @module The control-plane half of the `rancher.io/local-path` provisioner (as k3s ships):
 * for a claim the PV binder handed to this provisioner (annotation
 * `volume.kubernetes.io/storage-provisioner`), it creates a `hostPath` volume `pvc-<claim uid>`
 * under `<localPathStorageDir>/<pv>_<ns>_<claim>` (default `/var/lib/skiff/storage`) with node
 * affinity to the claim's `volume.kubernetes.io/selected-node` (an Immediate class: the first
 * Ready node), pre-bound to the claim. When such a volume is Released with reclaim policy
 * Delete, it deletes the PV and records the directory in the node's annotation
 * `local-path.skiff.dev/cleanup` (a JSON list of paths) for the kubelet to remove: the
 * directory lives on the node, so removing it is the node's job.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { annLocalPathCleanup, parseLocalPathCleanup } from '../api/local-path.ts';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs, splitKey } from '../client/refs.ts';
import { isAlreadyExists, isNotFound } from '../machinery/status.ts';
import type { Controller, ControllerContext } from './framework/controller.ts';
import { QueueRunner } from './framework/controller.ts';
import type { SC } from './persistentvolume/binder.ts';
import { annProvisionedBy, annSelectedNode, annStorageProvisioner, type PV, type PVC } from './persistentvolume/matching.ts';

export const controllerName = 'local-path-provisioner';
export const localPathProvisioner = 'rancher.io/local-path';
const hostnameLabel = 'kubernetes.io/hostname';

type N = Node & KubeObject;

const isReady = (n: N): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export class LocalPathProvisioner implements Controller {
  readonly name = controllerName;
  private readonly claims: Informer<PVC>;
  private readonly volumes: Informer<PV>;
  private readonly classes: Informer<SC>;
  private readonly nodes: Informer<N>;
  private readonly runner: QueueRunner;
  private readonly root: string;

  constructor(private readonly ctx: ControllerContext) {
    this.root = String(ctx.options?.localPathStorageDir ?? '/var/lib/skiff/storage');
    this.claims = ctx.informers.informerFor<PVC>(refs.persistentvolumeclaims);
    this.volumes = ctx.informers.informerFor<PV>(refs.persistentvolumes);
    this.classes = ctx.informers.informerFor<SC>(refs.storageclasses);
    this.nodes = ctx.informers.informerFor<N>(refs.nodes);
    this.runner = new QueueRunner(ctx, controllerName, (key) => this.reconcile(key));
    this.claims.addEventHandler({ onAdd: (c) => this.runner.enqueue(`claim:${keyOf(c)}`), onUpdate: (_o, n) => this.runner.enqueue(`claim:${keyOf(n)}`) });
    this.volumes.addEventHandler({ onAdd: (v) => this.runner.enqueue(`volume:${keyOf(v)}`), onUpdate: (_o, n) => this.runner.enqueue(`volume:${keyOf(n)}`) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private async reconcile(key: string): Promise<{ requeueAfterMs: number } | void> {
    const i = key.indexOf(':');
    const { namespace, name } = splitKey(key.slice(i + 1));
    if (key.startsWith('claim:')) {
      const c = this.claims.store.getByName(namespace, name);
      if (c) return this.provision(c);
    } else {
      const v = this.volumes.store.getByName(undefined, name);
      if (v) await this.reclaim(v);
    }
  }

  private async provision(claim: PVC): Promise<{ requeueAfterMs: number } | void> {
    if (claim.metadata?.deletionTimestamp || claim.spec?.volumeName) return;
    if (claim.metadata?.annotations?.[annStorageProvisioner] !== localPathProvisioner) return;
    const sc = this.classes.store.getByName(undefined, claim.spec?.storageClassName ?? '');
    if (!sc || sc.provisioner !== localPathProvisioner) return;
    const pvName = `pvc-${claim.metadata?.uid}`;
    if (this.volumes.store.getByName(undefined, pvName)) return;
    let node = claim.metadata?.annotations?.[annSelectedNode];
    if (!node) {
      if (sc.volumeBindingMode === 'WaitForFirstConsumer') return;
      node = this.nodes.store.list().filter(isReady).map((n) => n.metadata?.name ?? '').sort()[0];
      // No Ready node yet: try again shortly rather than fail the claim.
      if (!node) return { requeueAfterMs: 1000 };
    }
    const ns = claim.metadata?.namespace ?? '';
    const pv: PV = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { [annProvisionedBy]: localPathProvisioner, 'local.path.provisioner/selected-node': node } },
      spec: {
        capacity: { storage: String(claim.spec?.resources?.requests?.storage ?? '') },
        accessModes: claim.spec?.accessModes,
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: sc.metadata?.name,
        volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
        hostPath: { path: `${this.root}/${pvName}_${ns}_${claim.metadata?.name}`, type: 'DirectoryOrCreate' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: hostnameLabel, operator: 'In', values: [node] }] }] } },
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name: claim.metadata?.name, uid: claim.metadata?.uid },
        ...(sc.mountOptions ? { mountOptions: sc.mountOptions } : {}),
      },
    };
    try {
      await this.ctx.client.resource<PV>(refs.persistentvolumes).create(pv);
    } catch (err) {
      if (isAlreadyExists(err)) return;
      this.ctx.recorder.event({ ...claim, apiVersion: 'v1', kind: 'PersistentVolumeClaim' }, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata?.name}": ${(err as Error).message}`);
      throw err;
    }
    this.ctx.recorder.event({ ...claim, apiVersion: 'v1', kind: 'PersistentVolumeClaim' }, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  private async reclaim(pv: PV): Promise<void> {
    if (pv.metadata?.annotations?.[annProvisionedBy] !== localPathProvisioner) return;
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete' || pv.metadata?.deletionTimestamp) return;
    const node = pv.metadata.annotations['local.path.provisioner/selected-node'];
    const path = pv.spec?.hostPath?.path;
    if (node && path) await this.recordCleanup(node, path);
    try {
      await this.ctx.client.resource<PV>(refs.persistentvolumes).delete(pv.metadata.name!, { preconditions: { uid: pv.metadata.uid! } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Appends the path to the node's cleanup list (a live read, so a conflict is a retry). */
  private async recordCleanup(nodeName: string, path: string): Promise<void> {
    const nodes = this.ctx.client.resource<N>(refs.nodes);
    let node: N;
    try {
      node = await nodes.get(nodeName);
    } catch (err) {
      if (isNotFound(err)) return; // The node and its disk are gone.
      throw err;
    }
    const list = parseLocalPathCleanup(node.metadata?.annotations?.[annLocalPathCleanup]);
    if (list.includes(path)) return;
    await nodes.update({ ...node, metadata: { ...node.metadata, annotations: { ...node.metadata?.annotations, [annLocalPathCleanup]: JSON.stringify([...list, path]) } } });
  }
}
