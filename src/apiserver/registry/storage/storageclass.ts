/**
 * @module storage.k8s.io/v1 StorageClasses: reclaimPolicy/volumeBindingMode defaults,
 * provisioner/parameters immutable; NAME · PROVISIONER · RECLAIMPOLICY · VOLUMEBINDINGMODE ·
 * ALLOWVOLUMEEXPANSION · AGE, with ` (default)` after the default class's name.
 */
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { forbidden, invalid, notSupported, required, type FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { jsonEqual } from '../apps/workload.ts';
import { qualifiedNameErrors } from '../../../api/validation/names.ts';

type SC = Mutable<StorageClass>;

const isDefault = (sc: SC): boolean =>
  sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ||
  sc.metadata?.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true';

export const storageClassStrategy: Strategy<SC> = {
  info: findResource(builtinResources, 'storage.k8s.io', 'v1', 'storageclasses')!,
  defaults(sc) {
    if (!sc.reclaimPolicy) sc.reclaimPolicy = 'Delete';
    if (!sc.volumeBindingMode) sc.volumeBindingMode = 'Immediate';
  },
  validate(sc) {
    const out: FieldError[] = [];
    if (!sc.provisioner) out.push(required('provisioner'));
    else for (const e of qualifiedNameErrors(sc.provisioner.toLowerCase())) out.push(invalid('provisioner', sc.provisioner, e));
    if (sc.reclaimPolicy && !['Delete', 'Retain'].includes(sc.reclaimPolicy))
      out.push(notSupported('reclaimPolicy', sc.reclaimPolicy, ['Delete', 'Retain']));
    if (sc.volumeBindingMode && !['Immediate', 'WaitForFirstConsumer'].includes(sc.volumeBindingMode))
      out.push(notSupported('volumeBindingMode', sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
    return out;
  },
  validateUpdate(sc, old) {
    const out: FieldError[] = [];
    if (!jsonEqual(sc.parameters ?? {}, old.parameters ?? {})) out.push(forbidden('parameters', 'updates to parameters are forbidden.'));
    if (sc.provisioner !== old.provisioner) out.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (sc.reclaimPolicy !== old.reclaimPolicy) out.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    if (sc.volumeBindingMode !== old.volumeBindingMode) out.push(forbidden('volumeBindingMode', 'field is immutable'));
    return out;
  },
  table: {
    columns: [
      nameColumn,
      column('Provisioner', 'string', 'Indicates the type of the provisioner.'),
      column('ReclaimPolicy', 'string', 'Dynamically provisioned PersistentVolumes of this storage class are created with this reclaimPolicy. Defaults to Delete.'),
      column('VolumeBindingMode', 'string', 'VolumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound. When unset, VolumeBindingImmediate is used.'),
      column('AllowVolumeExpansion', 'string', 'AllowVolumeExpansion shows whether the storage class allow volume expand.'),
      ageColumn,
    ],
    cells: (sc, now) => [
      `${sc.metadata?.name ?? ''}${isDefault(sc) ? ' (default)' : ''}`,
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      String(sc.allowVolumeExpansion ?? false),
      ageOf(sc, now),
    ],
  },
};
