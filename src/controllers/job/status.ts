/**
 * @module The Job controller's bookkeeping, pure so it can be tested alone (upstream
 * job_controller.go's getNewFinishedPods, trackJobStatusAndRemoveFinalizers,
 * cleanUncountedPodsWithoutFinalizers, ensureJobConditionStatus). A finished pod is counted
 * exactly once: its UID goes into `status.uncountedTerminatedPods` first (an Indexed Job's
 * success goes straight into `completedIndexes`, the index being enough), the pod's tracking
 * finalizer is removed next, and only then does the UID move into `succeeded` / `failed`.
 */
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject, Mutable } from '../../api/object.ts';
import { podCompletionIndex } from './indexed.ts';
import { jobTrackingFinalizer } from './pod-template.ts';

type J = Job & KubeObject;
type P = Pod & KubeObject;
type Status = Mutable<NonNullable<J['status']>>;

export const isTerminal = (p: P) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
export const hasTrackingFinalizer = (p: P) => !!p.metadata?.finalizers?.includes(jobTrackingFinalizer);
export const isPodReady = (p: P) => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
/** controller.FilterActivePods: not finished and not being deleted. */
export const isPodActive = (p: P) => !isTerminal(p) && !p.metadata?.deletionTimestamp;
export const isPodTerminating = (p: P) => !isTerminal(p) && !!p.metadata?.deletionTimestamp;

export function conditionOf(job: J, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Complete or Failed: nothing more happens to the job's pods. */
export const isJobFinished = (job: J) => !!conditionOf(job, 'Complete') || !!conditionOf(job, 'Failed');

/**
 * Upstream isPodFailed (no pod failure policy): a Failed pod or, unless only Failed pods are
 * replaced, a pod deleted before it succeeded, which may never get to report Failed.
 */
export function isPodFailed(p: P, job: J): boolean {
  if (p.status?.phase === 'Failed') return true;
  if (job.spec?.podReplacementPolicy === 'Failed' || job.spec?.podFailurePolicy) return false;
  return !!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded';
}

function validIndex(job: J, p: P): boolean {
  return job.spec?.completionMode !== 'Indexed' || podCompletionIndex(p, job.spec.completions ?? 0) !== undefined;
}

/** getNewFinishedPods: finished pods that still hold the finalizer and are not recorded yet. */
export function newFinishedPods(job: J, pods: readonly P[]): { succeeded: P[]; failed: P[] } {
  const us = new Set(job.status?.uncountedTerminatedPods?.succeeded ?? []);
  const uf = new Set(job.status?.uncountedTerminatedPods?.failed ?? []);
  const candidates = pods.filter((p) => hasTrackingFinalizer(p) && validIndex(job, p));
  return {
    succeeded: candidates.filter((p) => p.status?.phase === 'Succeeded' && !us.has(p.metadata?.uid ?? '')),
    failed: candidates.filter((p) => isPodFailed(p, job) && !uf.has(p.metadata?.uid ?? '')),
  };
}

/** Indexes of succeeded pods plus those already in `completedIndexes`. */
export function succeededIndexes(job: J, pods: readonly P[], previous: readonly number[]): Set<number> {
  const out = new Set(previous);
  const completions = job.spec?.completions ?? 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Succeeded' || !hasTrackingFinalizer(p)) continue;
    const i = podCompletionIndex(p, completions);
    if (i !== undefined) out.add(i);
  }
  return out;
}

/**
 * The first half of trackJobStatusAndRemoveFinalizers: which pods may lose the finalizer now,
 * with their UIDs added to the job's uncounted lists (mutating `status`). `finishing` is the
 * kind of finish condition this pass holds: once the job is failing, every pod still running
 * counts as failed; once it succeeded, running pods are let go uncounted.
 */
export function recordFinished(
  job: J,
  pods: readonly P[],
  finishing: 'success' | 'failure' | undefined,
  /** A failed pod that the pod failure policy ignores: released, never counted. */
  ignored: (p: P) => boolean = () => false,
): { release: P[]; changed: boolean } {
  const status = (job.status ??= {}) as Status;
  const unc = { succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])], failed: [...(status.uncountedTerminatedPods?.failed ?? [])] };
  const release: P[] = [];
  let changed = false;
  const indexed = job.spec?.completionMode === 'Indexed';
  for (const p of pods) {
    if (!hasTrackingFinalizer(p)) continue;
    const uid = p.metadata?.uid ?? '';
    const failed = isPodFailed(p, job);
    if (!(finishing || p.status?.phase === 'Succeeded' || failed)) continue;
    release.push(p);
    if (p.status?.phase === 'Succeeded' && !unc.failed.includes(uid)) {
      // Indexed: the completion index (see succeededIndexes) is enough to avoid recounting.
      if (!indexed && !unc.succeeded.includes(uid)) {
        unc.succeeded.push(uid);
        changed = true;
      }
    } else if ((failed || finishing === 'failure') && !unc.failed.includes(uid) && validIndex(job, p) && !(failed && ignored(p))) {
      unc.failed.push(uid);
      changed = true;
    }
  }
  status.uncountedTerminatedPods = compactUncounted(unc);
  return { release, changed };
}

function compactUncounted(u: { succeeded: string[]; failed: string[] }): Status['uncountedTerminatedPods'] {
  return { ...(u.succeeded.length ? { succeeded: u.succeeded } : {}), ...(u.failed.length ? { failed: u.failed } : {}) };
}

/**
 * cleanUncountedPodsWithoutFinalizers: UIDs whose pods no longer hold the finalizer (or are
 * gone) move from the uncounted lists into the counters. Returns whether anything moved.
 */
export function countReleased(job: J, stillTracked: ReadonlySet<string>): boolean {
  const status = (job.status ??= {}) as Status;
  const us = status.uncountedTerminatedPods?.succeeded ?? [];
  const uf = status.uncountedTerminatedPods?.failed ?? [];
  const keepS = us.filter((u) => stillTracked.has(u));
  const keepF = uf.filter((u) => stillTracked.has(u));
  if (keepS.length === us.length && keepF.length === uf.length) return false;
  status.succeeded = (status.succeeded ?? 0) + us.length - keepS.length;
  status.failed = (status.failed ?? 0) + uf.length - keepF.length;
  status.uncountedTerminatedPods = compactUncounted({ succeeded: keepS, failed: keepF });
  return true;
}

/**
 * ensureJobConditionStatus: sets a condition (fresh probe and transition times) when its
 * status, reason or message differ; a False condition is never added from nothing.
 */
export function setCondition(job: J, type: string, status: 'True' | 'False', reason: string, message: string, now: string): boolean {
  const st = (job.status ??= {}) as Status;
  const conds: JobCondition[] = [...(st.conditions ?? [])];
  const fresh: JobCondition = { type, status, reason, message, lastProbeTime: now, lastTransitionTime: now };
  const i = conds.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = conds[i]!;
    if (c.status === status && c.reason === reason && c.message === message) return false;
    conds[i] = fresh;
  } else {
    if (status === 'False') return false;
    conds.push(fresh);
  }
  st.conditions = conds;
  return true;
}
