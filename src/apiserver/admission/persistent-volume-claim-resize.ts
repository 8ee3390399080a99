/**
 * @module PersistentVolumeClaimResize admission (upstream plugin/pkg/admission/storage/
 * persistentvolume/resize): a claim's storage request may grow only when it was dynamically
 * provisioned by a class with `allowVolumeExpansion: true`. (That the request never shrinks,
 * and that only a bound claim's request may change, is the strategy's update validation.)
 */
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { parseMilli } from '../../api/quota/quantity.ts';
import { StatusError } from '../../machinery/status.ts';
import type { AdmissionPlugin } from './interface.ts';
import { resourceIn } from './interface.ts';

export function persistentVolumeClaimResize(getClass: (name: string) => Promise<KubeObject | undefined>): AdmissionPlugin {
  return {
    name: 'PersistentVolumeClaimResize',
    handles: (r) => resourceIn(r, '', 'persistentvolumeclaims'),
    async validate(a) {
      if (a.operation !== 'UPDATE' || a.subresource || a.resource.group !== '' || a.resource.resource !== 'persistentvolumeclaims') return;
      const pvc = a.object as PersistentVolumeClaim | undefined;
      const old = a.oldObject as PersistentVolumeClaim | undefined;
      const now = parseMilli(pvc?.spec?.resources?.requests?.storage as string | undefined) ?? 0n;
      const before = parseMilli(old?.spec?.resources?.requests?.storage as string | undefined) ?? 0n;
      if (now <= before) return;
      const forbidden = () =>
        StatusError.forbidden({ group: '', resource: 'persistentvolumeclaims' }, a.name, 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
      const cls = old?.spec?.storageClassName;
      if (!cls) throw forbidden();
      const sc = (await getClass(cls)) as (StorageClass & KubeObject) | undefined;
      if (!sc?.allowVolumeExpansion) throw forbidden();
    },
  };
}
