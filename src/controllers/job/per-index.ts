/**
 * @module backoffLimitPerIndex for Indexed Jobs (upstream indexed_job_utils.go): each pod
 * carries how often its index failed before (`batch.kubernetes.io/job-index-failure-count`);
 * an index whose counted failures pass the per-index limit — or whose pod matched a FailIndex
 * rule — joins `status.failedIndexes` and gets no more pods. Replacement pods of one index back
 * off exponentially by that index's failure count.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { podFinishedMs } from './backoff.ts';
import { matchPodFailurePolicy } from './failure-policy.ts';
import { parseIndexes, podCompletionIndex } from './indexed.ts';
import { hasTrackingFinalizer, isPodFailed } from './status.ts';

type J = Job & KubeObject;
type P = Pod & KubeObject;

export const indexFailureCountKey = 'batch.kubernetes.io/job-index-failure-count';
export const indexIgnoredFailureCountKey = 'batch.kubernetes.io/job-index-ignored-failure-count';

export const hasBackoffLimitPerIndex = (job: J) => job.spec?.completionMode === 'Indexed' && job.spec.backoffLimitPerIndex != null;

function count(p: P, key: string): number {
  const v = p.metadata?.annotations?.[key];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
}

/** isIndexFailed: this failed pod ends its index (FailIndex, or the per-index limit reached). */
export function isIndexFailed(job: J, p: P): boolean {
  if (!isPodFailed(p, job)) return false;
  const m = matchPodFailurePolicy(job.spec?.podFailurePolicy, p);
  if (m.action === 'FailIndex') return true;
  return m.countFailed && count(p, indexFailureCountKey) >= (job.spec?.backoffLimitPerIndex ?? 0);
}

/** calculateFailedIndexes: the recorded ones plus those the still-tracked failed pods end. */
export function failedIndexes(job: J, pods: readonly P[]): Set<number> {
  const completions = job.spec?.completions ?? 0;
  const out = new Set(parseIndexes(job.status?.failedIndexes ?? undefined, completions));
  for (const p of pods) {
    if (!hasTrackingFinalizer(p)) continue;
    const i = podCompletionIndex(p, completions);
    if (i !== undefined && isIndexFailed(job, p)) out.add(i);
  }
  return out;
}

/** The most recently finished failed pod of each index. */
function lastFailedByIndex(job: J, pods: readonly P[], nowMs: number): Map<number, P> {
  const completions = job.spec?.completions ?? 0;
  const out = new Map<number, P>();
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const i = podCompletionIndex(p, completions);
    if (i === undefined) continue;
    const prev = out.get(i);
    if (!prev || podFinishedMs(p, nowMs) > podFinishedMs(prev, nowMs)) out.set(i, p);
  }
  return out;
}

export interface IndexPlan {
  /** Annotations for a new pod of each index (the failure counts so far). */
  annotations(index: number): Record<string, string>;
  /** Milliseconds until the index may get a new pod (0: now). */
  backoffRemainingMs(index: number): number;
}

/** getNewIndexFailureCounts and the per-index back-off, over the job's current pods. */
export function planIndexes(job: J, pods: readonly P[], nowMs: number, baseMs: number, maxMs: number): IndexPlan {
  const last = lastFailedByIndex(job, pods, nowMs);
  const counts = (index: number) => {
    const p = last.get(index);
    if (!p) return { failed: 0, ignored: 0, counted: false };
    const counted = matchPodFailurePolicy(job.spec?.podFailurePolicy, p).countFailed;
    const failed = count(p, indexFailureCountKey) + (counted ? 1 : 0);
    const ignored = count(p, indexIgnoredFailureCountKey) + (counted ? 0 : 1);
    return { failed, ignored, counted };
  };
  return {
    annotations(index) {
      const c = counts(index);
      return {
        [indexFailureCountKey]: String(c.failed),
        ...(c.ignored > 0 ? { [indexIgnoredFailureCountKey]: String(c.ignored) } : {}),
      };
    },
    backoffRemainingMs(index) {
      const p = last.get(index);
      const c = counts(index);
      if (!p || !c.counted || c.failed === 0) return 0;
      const delay = Math.min(baseMs * 2 ** (c.failed - 1), maxMs);
      return Math.max(0, podFinishedMs(p, nowMs) + delay - nowMs);
    },
  };
}
