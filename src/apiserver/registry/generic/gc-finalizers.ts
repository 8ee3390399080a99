/**
 * @module Which garbage-collection finalizers a DELETE puts on an object (upstream's
 * deletionFinalizersForGarbageCollection): `orphan` for propagationPolicy Orphan, and
 * `foregroundDeletion` for Foreground. Without an explicit policy an existing finalizer
 * decides, and then the resource's default (core/v1 ReplicationControllers and batch/v1 Jobs
 * orphan for backward compatibility; everything else is background).
 */
import type { KubeObject } from '../../../api/object.ts';

export const orphanFinalizer = 'orphan';
export const foregroundFinalizer = 'foregroundDeletion';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

/** Upstream strategies' DefaultGarbageCollectionPolicy for the served version. */
export function defaultOrphans(info: { group: string; version: string; resource: string }): boolean {
  if (info.group === '' && info.version === 'v1' && info.resource === 'replicationcontrollers') return true;
  if (info.group === 'batch' && info.version === 'v1' && info.resource === 'jobs') return true;
  return false;
}

function shouldOrphan(finalizers: readonly string[], policy: PropagationPolicy | undefined, orphanByDefault: boolean): boolean {
  if (policy) return policy === 'Orphan';
  for (const f of finalizers) {
    if (f === orphanFinalizer) return true;
    if (f === foregroundFinalizer) return false;
  }
  return orphanByDefault;
}

function shouldDeleteInForeground(finalizers: readonly string[], policy: PropagationPolicy | undefined): boolean {
  if (policy) return policy === 'Foreground';
  for (const f of finalizers) {
    if (f === foregroundFinalizer) return true;
    if (f === orphanFinalizer) return false;
  }
  return false;
}

/** The finalizers the object should carry after this delete; undefined when unchanged. */
export function finalizersForDeletion(
  obj: KubeObject,
  policy: PropagationPolicy | undefined,
  orphanByDefault: boolean,
): string[] | undefined {
  const current = obj.metadata?.finalizers ?? [];
  const next = current.filter((f) => f !== orphanFinalizer && f !== foregroundFinalizer);
  if (shouldOrphan(current, policy, orphanByDefault)) next.push(orphanFinalizer);
  if (shouldDeleteInForeground(current, policy)) next.push(foregroundFinalizer);
  const same = next.length === new Set(current).size && next.every((f) => current.includes(f));
  return same ? undefined : next;
}
