/**
 * @module manageJob (upstream job_controller.go): create or delete pods so that the right
 * number — and for Indexed Jobs the right indexes — run, honouring suspension, the failure
 * back-off (per index with backoffLimitPerIndex) and pods still terminating under
 * podReplacementPolicy Failed.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { backoffRemainingMs, type BackoffRecord } from './backoff.ts';
import { firstPendingIndexes, podCompletionIndex } from './indexed.ts';
import { hasBackoffLimitPerIndex, planIndexes } from './per-index.ts';
import type { JobPodActions } from './pods.ts';
import { activePodsForRemoval } from './removal.ts';

type J = Job & KubeObject;
type P = Pod & KubeObject;

/** Upstream MaxPodCreateDeletePerSync. */
const maxPodCreateDeletePerSync = 500;

export interface ManageInput {
  active: P[];
  terminating: number;
  succeeded: number;
  /** Succeeded indexes (Indexed Jobs). */
  completed: ReadonlySet<number>;
  /** Indexes that failed for good (backoffLimitPerIndex). */
  failedIndexes: ReadonlySet<number>;
  backoff: BackoffRecord;
  /** Every pod the job owns, for per-index failure counts. */
  pods: readonly P[];
}

export interface ManageOptions {
  actions: JobPodActions;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export async function manageJob(
  o: ManageOptions,
  key: string,
  job: J,
  cur: ManageInput,
  nowMs: number,
): Promise<{ active: P[]; deleted: number; requeueAfterMs?: number }> {
  const { active, succeeded, completed, backoff } = cur;
  const completions = job.spec?.completions ?? undefined;
  const parallelism = job.spec?.parallelism ?? 1;
  if (job.spec?.suspend) {
    const deleted = await o.actions.delete(key, job, active, { expect: true, untrack: true });
    return { active: active.slice(deleted), deleted };
  }
  const indexed = job.spec?.completionMode === 'Indexed';
  const perIndex = hasBackoffLimitPerIndex(job);
  // Failed indexes are done too, as far as how many pods may still run goes.
  const finished = succeeded + (perIndex ? cur.failedIndexes.size : 0);
  let wantActive: number;
  if (completions === undefined) wantActive = succeeded > 0 ? active.length : parallelism;
  else wantActive = Math.max(0, Math.min(completions - finished, parallelism));
  const victims = activePodsForRemoval(active, Math.max(0, active.length - wantActive), indexed ? (completions ?? 0) : undefined);
  if (victims.length > 0) {
    // Deletion takes precedence: creations wait for the next pass.
    const deleted = await o.actions.delete(key, job, victims, { expect: true, untrack: true });
    return { active: active.filter((p) => !victims.includes(p)), deleted };
  }
  // With podReplacementPolicy Failed a terminating pod still holds its slot.
  const terminating = job.spec?.podReplacementPolicy === 'Failed' ? cur.terminating : 0;
  const diff = wantActive - terminating - active.length;
  if (diff <= 0) return { active, deleted: 0 };
  if (!perIndex) {
    const wait = backoffRemainingMs(backoff, nowMs, o.backoffBaseMs, o.backoffMaxMs);
    if (wait > 0) return { active, deleted: 0, requeueAfterMs: wait };
  }
  const batch = Math.min(diff, maxPodCreateDeletePerSync);
  if (!indexed) {
    const created = await o.actions.create(key, job, Array.from({ length: batch }, () => undefined));
    return { active: active.concat(created), deleted: 0 };
  }
  const activeIndexes = new Set(active.map((p) => podCompletionIndex(p, completions ?? 0)).filter((i): i is number => i !== undefined));
  const skip = new Set([...completed, ...cur.failedIndexes]);
  let indexes = firstPendingIndexes(completions ?? 0, skip, activeIndexes, completions ?? 0);
  let requeueAfterMs: number | undefined;
  let annotate: ((i: number) => Record<string, string>) | undefined;
  if (perIndex) {
    const plan = planIndexes(job, cur.pods, nowMs, o.backoffBaseMs, o.backoffMaxMs);
    indexes = indexes.filter((i) => {
      const wait = plan.backoffRemainingMs(i);
      if (wait > 0) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, wait);
      return wait === 0;
    });
    annotate = (i) => plan.annotations(i);
  }
  const created = await o.actions.create(key, job, indexes.slice(0, batch), annotate);
  return { active: active.concat(created), deleted: 0, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
}
