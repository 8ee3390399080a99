/**
 * @module Adapts the apply engine's managedFields bookkeeping to the registry's tracker hook.
 */
import type { KubeObject } from '../../api/object.ts';
import { updateManagedFields } from '../../machinery/apply/managed-fields.ts';
import type { ManagedFieldsTracker } from '../../apiserver/registry/generic/store.ts';

export const managedFieldsTracker: ManagedFieldsTracker = ({ old, updated, manager, subresource, now }) => {
  const apiVersion = updated.apiVersion ?? old?.apiVersion ?? 'v1';
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  const entries = updateManagedFields({
    old: old as KubeObject | undefined,
    updated,
    manager,
    operation: 'Update',
    apiVersion,
    now,
    gvk: { group, version, kind: updated.kind ?? old?.kind ?? '' },
    subresource: subresource || undefined,
  });
  (updated.metadata ??= {}).managedFields = entries;
};
