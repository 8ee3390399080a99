/**
 * @module StorageObjectInUseProtection admission (upstream plugin/pkg/admission/storage/
 * storageobjectinuseprotection): a PersistentVolume or PersistentVolumeClaim being created
 * gets its protection finalizer, so it cannot vanish while in use; the PV/PVC protection
 * controllers remove the finalizer once nothing uses the object.
 */
import type { AdmissionPlugin } from './interface.ts';

const finalizerFor: Record<string, string> = {
  persistentvolumes: 'kubernetes.io/pv-protection',
  persistentvolumeclaims: 'kubernetes.io/pvc-protection',
};

export function storageObjectInUseProtection(): AdmissionPlugin {
  return {
    name: 'StorageObjectInUseProtection',
    handles: (r) => r.group === '' && Object.hasOwn(finalizerFor, r.resource),
    async mutate(a) {
      if (a.operation !== 'CREATE' || a.subresource || a.resource.group !== '' || !a.object) return;
      const finalizer = finalizerFor[a.resource.resource];
      if (!finalizer) return;
      const meta = (a.object.metadata ??= {});
      const finalizers = meta.finalizers ?? [];
      if (!finalizers.includes(finalizer)) meta.finalizers = [...finalizers, finalizer];
    },
  };
}
