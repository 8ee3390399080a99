/**
 * @module When a Job may replace failed pods (upstream backoff_utils.go): failures since the
 * last success back off exponentially (10 s · 2^(n-1), at most 6 min) from the end of the last
 * failure; and, for restartPolicy OnFailure, container restarts count against backoffLimit.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';

type J = Job & KubeObject;
type P = Pod & KubeObject;

/** Upstream DefaultJobPodFailureBackOff / MaxJobPodFailureBackOff. */
export const defaultBackoffMs = 10_000;
export const maxBackoffMs = 6 * 60_000;

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureMs: number;
}

/** The pod's end: its containers' last finish time, else its deletion, else now. */
export function podFinishedMs(p: P, nowMs: number): number {
  let t = 0;
  for (const c of p.status?.containerStatuses ?? []) {
    const f = c.state?.terminated?.finishedAt;
    if (f) t = Math.max(t, Date.parse(f));
  }
  if (t) return t;
  return p.metadata?.deletionTimestamp ? Date.parse(p.metadata.deletionTimestamp) : nowMs;
}

/** newBackoffRecord: folds newly finished pods into the record (a success resets it). */
export function nextBackoff(prev: BackoffRecord | undefined, succeeded: readonly P[], failed: readonly P[], nowMs: number): BackoffRecord {
  const base = prev ?? { failuresAfterLastSuccess: 0, lastFailureMs: 0 };
  const times = (ps: readonly P[]) => ps.map((p) => podFinishedMs(p, nowMs)).sort((a, b) => a - b);
  const f = times(failed);
  if (succeeded.length === 0) {
    if (f.length === 0) return base;
    return { failuresAfterLastSuccess: base.failuresAfterLastSuccess + f.length, lastFailureMs: f[f.length - 1]! };
  }
  const lastSuccess = Math.max(...times(succeeded));
  const after = f.filter((t) => t > lastSuccess);
  return { failuresAfterLastSuccess: after.length, lastFailureMs: after.length ? after[after.length - 1]! : 0 };
}

/** How long pod creation must still wait. */
export function backoffRemainingMs(b: BackoffRecord | undefined, nowMs: number, baseMs = defaultBackoffMs, maxMs = maxBackoffMs): number {
  if (!b || b.failuresAfterLastSuccess === 0) return 0;
  const delay = Math.min(baseMs * 2 ** (b.failuresAfterLastSuccess - 1), maxMs);
  return Math.max(0, b.lastFailureMs + delay - nowMs);
}

/** Sum of container restarts of running pods against backoffLimit, for restartPolicy OnFailure. */
export function pastBackoffLimitOnFailure(job: J, pods: readonly P[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const c of [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])]) restarts += c.restartCount ?? 0;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}
