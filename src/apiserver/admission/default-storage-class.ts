/**
 * @module DefaultStorageClass admission (upstream plugin/pkg/admission/storage/storageclass/
 * setdefault): a new PersistentVolumeClaim that names no class gets the class annotated
 * `storageclass.kubernetes.io/is-default-class: "true"` (the newest, if several are).
 */
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { QuotaServer } from './resource-quota.ts';
import type { AdmissionPlugin } from './interface.ts';
import { resourceIn } from './interface.ts';

export const isDefaultClassAnnotation = 'storageclass.kubernetes.io/is-default-class';

/** The default class's name: among the annotated ones the newest, then by name (as upstream). */
export function defaultClassName(classes: KubeObject[]): string | undefined {
  const defaults = classes.filter((c) => c.metadata?.annotations?.[isDefaultClassAnnotation] === 'true');
  defaults.sort(
    (a, b) => (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
  return defaults[0]?.metadata?.name;
}

export function defaultStorageClass(server: QuotaServer): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    handles: (r) => resourceIn(r, '', 'persistentvolumeclaims'),
    async mutate(a) {
      if (a.operation !== 'CREATE' || a.subresource || !a.object || a.resource.group !== '' || a.resource.resource !== 'persistentvolumeclaims') return;
      const pvc = a.object as PersistentVolumeClaim;
      if (pvc.spec?.storageClassName !== undefined && pvc.spec.storageClassName !== null) return;
      const store = server.store('storage.k8s.io', 'v1', 'storageclasses');
      if (!store) return;
      const { kvs } = await server.config.backend.list(store.codec.prefix());
      const name = defaultClassName(kvs.map((kv) => store.codec.decode(kv)));
      if (name) (pvc.spec ??= {}).storageClassName = name;
    },
  };
}
