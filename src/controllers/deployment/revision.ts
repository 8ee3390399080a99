/**
 * @module Deployment revision bookkeeping on ReplicaSets (upstream deployment_util.go):
 * `deployment.kubernetes.io/revision`, `revision-history` when an old ReplicaSet becomes new
 * again (rollback), the desired/max replicas annotations used for proportional scaling, and the
 * Deployment annotations copied onto its ReplicaSets (so `kubectl rollout history` shows
 * change-cause).
 */
import type { D, RS } from './types.ts';

export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
const rollbackToAnnotation = 'deprecated.deployment.rollback.to';
const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
/** Upstream's cap on the revision-history annotation's length. */
export const maxRevisionHistoryChars = 2000;

const skipped = new Set([lastAppliedAnnotation, revisionAnnotation, revisionHistoryAnnotation, desiredReplicasAnnotation, maxReplicasAnnotation, rollbackToAnnotation]);

/** The revision an object carries; 0 when unset or not a number. */
export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } } | undefined): number {
  const v = obj?.metadata?.annotations?.[revisionAnnotation];
  if (v === undefined || !/^-?\d+$/.test(v)) return 0;
  return Number(v);
}

export function maxRevision(sets: readonly RS[]): number {
  return sets.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

function annotationsOf(obj: { metadata?: { annotations?: Record<string, string> } }): Record<string, string> {
  const meta = (obj.metadata ??= {});
  return (meta.annotations ??= {});
}

/** Copies the Deployment's own annotations onto rs (minus the controller's); true if any changed. */
export function copyDeploymentAnnotations(d: D, rs: RS): boolean {
  const target = annotationsOf(rs);
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipped.has(k) || target[k] === v) continue;
    target[k] = v;
    changed = true;
  }
  return changed;
}

/** Sets desired-replicas and max-replicas; true if they changed. */
export function setReplicasAnnotations(rs: RS, desired: number, max: number): boolean {
  const a = annotationsOf(rs);
  const want = { [desiredReplicasAnnotation]: String(desired), [maxReplicasAnnotation]: String(max) };
  let changed = false;
  for (const [k, v] of Object.entries(want)) {
    if (a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: RS, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[desiredReplicasAnnotation] !== String(desired) || a[maxReplicasAnnotation] !== String(max);
}

export function annotatedNumber(rs: RS, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

/**
 * SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the revision to
 * newRevision (remembering the old one in revision-history when an existing set is reused),
 * and for a set about to be created, the replicas annotations. True if anything changed.
 */
export function setNewReplicaSetAnnotations(d: D, rs: RS, newRevision: number, exists: boolean, maxSurge: number): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const a = annotationsOf(rs);
  const oldText = a[revisionAnnotation];
  if (oldText !== undefined && !/^-?\d+$/.test(oldText)) return changed;
  const oldRevision = oldText === undefined ? 0 : Number(oldText);
  if (oldRevision < newRevision) {
    a[revisionAnnotation] = String(newRevision);
    changed = true;
    if (oldText !== undefined) {
      const history = a[revisionHistoryAnnotation] ?? '';
      const olds = history ? history.split(',') : [];
      let total = history.length + oldText.length + 1;
      let start = 0;
      while (total > maxRevisionHistoryChars && start < olds.length) total -= olds[start++]!.length + 1;
      if (total <= maxRevisionHistoryChars) a[revisionHistoryAnnotation] = [...olds.slice(start), oldText].join(',');
    }
  }
  const desired = d.spec?.replicas ?? 1;
  if (!exists && setReplicasAnnotations(rs, desired, desired + maxSurge)) changed = true;
  return changed;
}
