/**
 * @module PersistentVolumeClaim strategy: volumeMode default, phase Pending on create, upstream columns.
 */
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { forbidden, required, type FieldError } from '../../../api/field-error.ts';
import { parseMilli } from '../../../api/quota/quantity.ts';
import type { KubeObject } from '../../../api/object.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { accessModes as modes } from './access-modes.ts';
import { coreInfo } from './info.ts';
import { validateResourceList } from '../../../api/validation/quantity.ts';

/** JSON with sorted keys and no undefined members, so key order never counts as a change. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined && x !== null)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

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
  validateUpdate(pvc, old) {
    // Upstream ValidatePersistentVolumeClaimUpdate: only a bound claim's storage request may
    // change, and (without RecoverVolumeExpansionFailure) only upwards.
    const errs: FieldError[] = [];
    const storage = (c: PersistentVolumeClaim) => c.spec?.resources?.requests?.storage as string | undefined;
    const strip = (c: PersistentVolumeClaim) => canonical({ ...c.spec, resources: { ...c.spec?.resources, requests: { ...c.spec?.resources?.requests, storage: undefined } }, volumeAttributesClassName: undefined, volumeName: undefined });
    if (strip(pvc) !== strip(old)) errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    const now = parseMilli(storage(pvc));
    const before = parseMilli(storage(old));
    if (now !== undefined && before !== undefined && now !== before) {
      if (old.status?.phase !== 'Bound') errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
      else if (now < before) errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
    }
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
