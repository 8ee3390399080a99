/**
 * @module PersistentVolume and PersistentVolumeClaim strategies with upstream's columns.
 */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { required, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject } from '../../../api/object.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { coreInfo } from './info.ts';

const modeShort: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
const modes = (m: readonly string[] | undefined) => (m ?? []).map((x) => modeShort[x] ?? x).join(',');

export const persistentvolumeclaims: Strategy<PersistentVolumeClaim & KubeObject> = {
  info: coreInfo('persistentvolumeclaims'),
  defaults(pvc) {
    const spec = ((pvc as KubeObject).spec ??= {}) as { volumeMode?: string };
    spec.volumeMode ??= 'Filesystem';
  },
  prepareForCreate(pvc) {
    (pvc as KubeObject).status = { phase: 'Pending' };
  },
  validate(pvc) {
    const errs: FieldError[] = [];
    if (!pvc.spec?.accessModes?.length) errs.push(required('spec.accessModes'));
    if (!pvc.spec?.resources?.requests?.storage) errs.push(required('spec.resources[storage]'));
    return errs;
  },
  table: {
    columns: [
      nameColumn,
      column('Status', 'string', 'The phase of the claim'),
      column('Volume', 'string', 'The bound volume'),
      column('Capacity', 'string', 'The capacity of the bound volume'),
      column('Access Modes', 'string', 'The access modes'),
      column('StorageClass', 'string', 'The storage class'),
      column('VolumeAttributesClass', 'string', 'The volume attributes class'),
      ageColumn,
      column('VolumeMode', 'string', 'The volume mode', 1),
    ],
    cells: (pvc, now) => {
      const bound = !!pvc.spec?.volumeName;
      return [
        pvc.metadata?.name ?? '',
        pvc.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? ''),
        pvc.spec?.volumeName ?? '',
        bound ? String(pvc.status?.capacity?.storage ?? '') : '',
        bound ? modes(pvc.status?.accessModes) : '',
        pvc.spec?.storageClassName ?? '',
        pvc.spec?.volumeAttributesClassName ?? '<unset>',
        ageOf(pvc, now),
        pvc.spec?.volumeMode ?? '',
      ];
    },
  },
};

export const persistentvolumes: Strategy<PersistentVolume & KubeObject> = {
  info: coreInfo('persistentvolumes'),
  defaults(pv) {
    const spec = ((pv as KubeObject).spec ??= {}) as { persistentVolumeReclaimPolicy?: string; volumeMode?: string };
    spec.persistentVolumeReclaimPolicy ??= 'Retain';
    spec.volumeMode ??= 'Filesystem';
  },
  prepareForCreate(pv) {
    (pv as KubeObject).status = { phase: 'Pending' };
  },
  validate(pv) {
    const errs: FieldError[] = [];
    if (!pv.spec?.accessModes?.length) errs.push(required('spec.accessModes'));
    if (!pv.spec?.capacity?.storage) errs.push(required('spec.capacity'));
    return errs;
  },
  table: {
    columns: [
      nameColumn,
      column('Capacity', 'string', 'The capacity'),
      column('Access Modes', 'string', 'The access modes'),
      column('Reclaim Policy', 'string', 'What happens when the claim is released'),
      column('Status', 'string', 'The phase of the volume'),
      column('Claim', 'string', 'The bound claim'),
      column('StorageClass', 'string', 'The storage class'),
      column('VolumeAttributesClass', 'string', 'The volume attributes class'),
      column('Reason', 'string', 'Why the volume is in this phase'),
      ageColumn,
      column('VolumeMode', 'string', 'The volume mode', 1),
    ],
    cells: (pv, now) => [
      pv.metadata?.name ?? '',
      String(pv.spec?.capacity?.storage ?? ''),
      modes(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? '',
      pv.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? ''),
      pv.spec?.claimRef ? `${pv.spec.claimRef.namespace}/${pv.spec.claimRef.name}` : '',
      pv.spec?.storageClassName ?? '',
      pv.spec?.volumeAttributesClassName ?? '<unset>',
      pv.status?.reason ?? '',
      ageOf(pv, now),
      pv.spec?.volumeMode ?? '',
    ],
  },
};
