/**
 * @module The StorageClasses a server starts with. `local-path` is the default class as k3s
 * ships it: provisioner `rancher.io/local-path`, WaitForFirstConsumer, reclaim Delete, no
 * expansion (k3s' class does not allow it), annotated as the cluster's default.
 * `local-path-retain` is Skiff's second class, to show per-class policies: same provisioner,
 * reclaim Retain, `allowVolumeExpansion: true`. Each is created at server start when missing;
 * an existing one (perhaps edited by an admin, or un-defaulted) is left as it is.
 */
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { ApiServer } from '../../apiserver/server.ts';
import { StatusError } from '../../machinery/status.ts';

export const defaultStorageClass: StorageClass & KubeObject = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'rancher.io/local-path',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
};

export const retainStorageClass: StorageClass & KubeObject = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'local-path-retain' },
  provisioner: 'rancher.io/local-path',
  reclaimPolicy: 'Retain',
  volumeBindingMode: 'WaitForFirstConsumer',
  allowVolumeExpansion: true,
};

export async function ensureDefaultStorageClass(api: ApiServer): Promise<void> {
  const store = api.store('storage.k8s.io', 'v1', 'storageclasses');
  if (!store) return;
  for (const sc of [defaultStorageClass, retainStorageClass]) {
    if (await store.getRaw('', sc.metadata!.name!)) continue;
    try {
      await store.create('', structuredClone(sc), {
        dryRun: false,
        user: { username: 'system:apiserver', groups: ['system:masters'] },
        fieldManager: 'skiff-apiserver',
      });
    } catch (err) {
      // Another server sharing the datastore may have created it first.
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
    }
  }
}
