/**
 * @module PersistentVolume strategy: reclaim policy default, phase on create, upstream columns.
 */
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import { required, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject } from '../../../api/object.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { accessModes as modes } from './access-modes.ts';
import { coreInfo } from './info.ts';

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
