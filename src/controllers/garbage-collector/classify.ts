/**
 * @module The garbage collector's decisions, free of I/O (upstream attemptToDeleteItem and
 * processDeletingDependentsItem): sort an object's owners into solid, dangling (gone, or a
 * different uid under the same name) and waiting-for-dependents-deletion (foreground), then
 * choose what to do with the object.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.ts';

export const orphanFinalizer = 'orphan';
export const foregroundFinalizer = 'foregroundDeletion';

/** What a live look-up found for one owner reference. */
export type OwnerState = 'absent' | 'present' | 'deletingDependents' | 'unknown';

export interface Classified {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waiting: OwnerReference[];
}

export function classifyOwners(refs: readonly OwnerReference[], states: readonly OwnerState[]): Classified {
  const out: Classified = { solid: [], dangling: [], waiting: [] };
  refs.forEach((ref, i) => {
    const s = states[i];
    if (s === 'absent') out.dangling.push(ref);
    else if (s === 'deletingDependents') out.waiting.push(ref);
    // An owner we cannot resolve is kept: deleting on doubt is the one unrecoverable error.
    else out.solid.push(ref);
  });
  return out;
}

export type Action =
  | { type: 'none' }
  | { type: 'removeOwnerRefs'; uids: string[] }
  | { type: 'delete'; policy: 'Background' | 'Foreground' | 'Orphan' };

export const hasFinalizer = (obj: KubeObject, f: string): boolean => !!obj.metadata?.finalizers?.includes(f);
export const isDeletingDependents = (obj: KubeObject): boolean =>
  !!obj.metadata?.deletionTimestamp && hasFinalizer(obj, foregroundFinalizer);

/** What to do with an object (not itself deleting dependents) given its classified owners. */
export function decide(obj: KubeObject, c: Classified, hasDependents: boolean): Action {
  if (c.solid.length > 0) {
    // Still owned: only drop references to owners that are gone or are going in foreground.
    const uids = [...c.dangling, ...c.waiting].map((r) => r.uid);
    return uids.length ? { type: 'removeOwnerRefs', uids } : { type: 'none' };
  }
  if (c.waiting.length > 0 && hasDependents) return { type: 'delete', policy: 'Foreground' };
  if (c.dangling.length === 0 && c.waiting.length === 0) return { type: 'none' };
  if (hasFinalizer(obj, orphanFinalizer)) return { type: 'delete', policy: 'Orphan' };
  if (hasFinalizer(obj, foregroundFinalizer)) return { type: 'delete', policy: 'Foreground' };
  return { type: 'delete', policy: 'Background' };
}

/** Dependents that hold up a foreground deletion of `ownerUid`. */
export function blockingDependents<T extends KubeObject>(dependents: readonly T[], ownerUid: string): T[] {
  return dependents.filter((d) => d.metadata?.ownerReferences?.some((r) => r.uid === ownerUid && r.blockOwnerDeletion === true));
}

/** The owner references left after dropping `uids`; undefined when nothing changes. */
export function withoutOwners(obj: KubeObject, uids: readonly string[]): OwnerReference[] | undefined {
  const refs = obj.metadata?.ownerReferences ?? [];
  const kept = refs.filter((r) => !uids.includes(r.uid));
  return kept.length === refs.length ? undefined : kept;
}
