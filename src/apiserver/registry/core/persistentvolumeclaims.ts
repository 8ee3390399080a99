/**
 * @module PersistentVolumeClaim strategy: volumeMode default, phase Pending on create, upstream columns.
 */
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { required, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject } from '../../../api/object.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { accessModes as modes } from './access-modes.ts';
import { coreInfo } from './info.ts';
import { validateResourceList } from '../../../api/validation/quantity.ts';

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
    errs.push(...validateResourceList(pvc.spec?.resources?.requests, 'spec.resources.requests'), ...validateResourceList(pvc.spec?.resources?.limits, 'spec.resources.limits'));
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
