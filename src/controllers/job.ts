/**
 * @module The Job controller ("job-controller", upstream pkg/controller/job): runs a Job's pods
 * to `completions` successes with at most `parallelism` at once (NonIndexed or Indexed), counts
 * every finished pod exactly once through the job-tracking finalizer and
 * `status.uncountedTerminatedPods`, backs off exponentially before replacing failed pods,
 * and finishes the Job as 1.32 does: an interim SuccessCriteriaMet / FailureTarget condition
 * (BackoffLimitExceeded, DeadlineExceeded) first, then Complete / Failed once no pod is left
 * running. Suspending deletes the active pods. podFailurePolicy (job/failure-policy.ts),
 * backoffLimitPerIndex (job/per-index.ts) and successPolicy (job/success-policy.ts) decide
 * failures and early success; orphans matching the selector are adopted (job/adoption.ts).
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject, Mutable } from '../api/object.ts';
import { refs, keyOf, splitKey } from '../client/refs.ts';
import type { Informer } from '../client/cache/informer.ts';
import { isConflict, isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext, type ReconcileResult } from './framework/controller.ts';
import { Expectations } from './framework/expectations.ts';
import { controllerOf } from './framework/owner.ts';
import { formatIndexes, parseIndexes } from './job/indexed.ts';
import { defaultBackoffMs, maxBackoffMs, nextBackoff, pastBackoffLimitOnFailure, type BackoffRecord } from './job/backoff.ts';
import { JobPodActions } from './job/pods.ts';
import { claimJobPods, jobSelects } from './job/adoption.ts';
import { failJobMessage, matchPodFailurePolicy } from './job/failure-policy.ts';
import { manageJob } from './job/manage.ts';
import { failedIndexes, hasBackoffLimitPerIndex } from './job/per-index.ts';
import { matchSuccessPolicy } from './job/success-policy.ts';
import {
  conditionOf,
  countReleased,
  hasTrackingFinalizer,
  isJobFinished,
  isPodActive,
  isPodFailed,
  isPodReady,
  isPodTerminating,
  newFinishedPods,
  recordFinished,
  setCondition,
  succeededIndexes,
} from './job/status.ts';

export const controllerName = 'job-controller';
type J = Job & KubeObject;
type P = Pod & KubeObject;
type Status = Mutable<NonNullable<J['status']>>;
const byJobUid = 'job-uid';

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');

export class JobController implements Controller {
  readonly name = controllerName;
  private readonly jobs: Informer<J>;
  private readonly podInformer: Informer<P>;
  private readonly runner: QueueRunner;
  private readonly expectations: Expectations;
  private readonly actions: JobPodActions;
  private readonly backoffs = new Map<string, BackoffRecord>();
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;

  constructor(private readonly ctx: ControllerContext) {
    this.backoffBaseMs = Number(ctx.options?.jobBackoffBaseMs ?? defaultBackoffMs);
    this.backoffMaxMs = Number(ctx.options?.jobBackoffMaxMs ?? maxBackoffMs);
    this.expectations = new Expectations(ctx.clock);
    this.actions = new JobPodActions(ctx, this.expectations);
    this.runner = new QueueRunner(ctx, controllerName, (k) => this.reconcile(k), { workers: 2 });
    this.jobs = ctx.informers.informerFor<J>(refs.jobs);
    this.podInformer = ctx.informers.informerFor<P>(refs.pods);
    this.podInformer.addIndex(byJobUid, (p) => {
      const ref = controllerOf(p);
      return ref?.kind === 'Job' ? [ref.uid] : [];
    });
    this.jobs.addEventHandler({
      onAdd: (j) => this.runner.enqueue(keyOf(j)),
      onUpdate: (_, j) => this.runner.enqueue(keyOf(j)),
      onDelete: (j) => this.runner.enqueue(keyOf(j)),
    });
    const ownerKey = (p: P) => {
      const ref = controllerOf(p);
      return ref?.kind === 'Job' ? `${p.metadata?.namespace}/${ref.name}` : undefined;
    };
    // An orphan wakes every Job that could adopt it (upstream getPodJobs).
    const wakeAdopters = (p: P) => {
      if (controllerOf(p) || p.metadata?.deletionTimestamp) return;
      for (const j of this.jobs.store.byIndex('namespace', p.metadata?.namespace ?? '')) if (jobSelects(j, p)) this.runner.enqueue(keyOf(j));
    };
    this.podInformer.addEventHandler({
      onAdd: (p) => {
        const k = ownerKey(p);
        if (!k) return wakeAdopters(p);
        this.expectations.creationObserved(k);
        this.runner.enqueue(k);
      },
      onUpdate: (old, p) => {
        const k = ownerKey(p);
        if (k) this.runner.enqueue(k);
        // A lost controller or changed labels: the old owner may release, others may adopt.
        const oldKey = ownerKey(old);
        if (oldKey && oldKey !== k) this.runner.enqueue(oldKey);
        wakeAdopters(p);
      },
      onDelete: (p) => {
        const k = ownerKey(p);
        if (!k) return;
        this.expectations.deletionObserved(k);
        this.runner.enqueue(k);
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const cached = this.jobs.store.get(key);
    if (!cached) {
      this.expectations.forget(key);
      this.backoffs.delete(key);
      await this.releaseOrphans(key);
      return;
    }
    const job = structuredClone(cached);
    if (isJobFinished(job)) {
      // Nothing left to count: let any straggler pods go.
      await this.actions.untrack(this.podInformer.store.byIndex(byJobUid, job.metadata?.uid ?? '').filter(hasTrackingFinalizer));
      this.backoffs.delete(key);
      return;
    }
    try {
      return await this.sync(key, job);
    } catch (err) {
      // A stale cache: the informer brings the newer object and the key comes back.
      if (isConflict(err)) return { requeueAfterMs: 100 };
      if (isNotFound(err)) return;
      throw err;
    }
  }

  /** syncJob: one level-triggered pass over a job that has not finished. */
  private async sync(key: string, job: J): Promise<ReconcileResult | void> {
    // Expectations are read before the pods, so a pod that lands in between defers to the next pass.
    const satisfied = this.expectations.satisfied(key);
    const pods = await claimJobPods(this.ctx, job, this.podInformer.store.byIndex('namespace', job.metadata?.namespace ?? ''));
    const spec = job.spec!;
    const st = (job.status ??= {}) as Status;
    const before = { active: st.active, ready: st.ready, terminating: st.terminating, startTime: st.startTime };
    const now = this.ctx.clock.now();
    const nowStr = rfc3339(now);
    const indexed = spec.completionMode === 'Indexed';
    const completions = spec.completions ?? undefined;
    const suspended = !!spec.suspend;

    let active = pods.filter(isPodActive);
    let ready = active.filter(isPodReady).length;
    let terminating = pods.filter(isPodTerminating).length;
    const fresh = newFinishedPods(job, pods);
    // Failures the pod failure policy ignores (e.g. a DisruptionTarget rule) count nowhere.
    const ignored = (p: P) => !matchPodFailurePolicy(spec.podFailurePolicy, p).countFailed;
    const freshFailed = fresh.failed.filter((p) => !ignored(p));
    let succeeded = (st.succeeded ?? 0) + fresh.succeeded.length + (st.uncountedTerminatedPods?.succeeded?.length ?? 0);
    const failed = (st.failed ?? 0) + freshFailed.length + (st.uncountedTerminatedPods?.failed?.length ?? 0);
    const prevIndexes = indexed ? parseIndexes(st.completedIndexes, completions ?? 0) : [];
    const doneIndexes = indexed ? succeededIndexes(job, pods, prevIndexes) : new Set<number>();
    if (indexed) succeeded = doneIndexes.size;
    const perIndex = hasBackoffLimitPerIndex(job);
    const lostIndexes = perIndex ? failedIndexes(job, pods) : new Set<number>();
    if (!st.startTime && !suspended) st.startTime = nowStr;
    const backoff = nextBackoff(this.backoffs.get(key), fresh.succeeded, freshFailed, now.getTime());

    let requeueAfterMs: number | undefined;
    const requeue = (ms: number) => (requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, Math.max(1, ms)));
    type Finish = { type: 'SuccessCriteriaMet' | 'FailureTarget'; reason: string; message: string; isNew: boolean };
    let finish: Finish | undefined;
    const met = conditionOf(job, 'SuccessCriteriaMet');
    const target = conditionOf(job, 'FailureTarget');
    const failJob = met || target ? undefined : failJobMessage(job, pods.filter((p) => isPodFailed(p, job)));
    if (met) finish = { type: 'SuccessCriteriaMet', reason: met.reason ?? '', message: met.message ?? '', isNew: false };
    else if (target) finish = { type: 'FailureTarget', reason: target.reason ?? '', message: target.message ?? '', isNew: false };
    else if (failJob) finish = { type: 'FailureTarget', reason: 'PodFailurePolicy', message: failJob, isNew: true };
    else if (failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods))
      finish = { type: 'FailureTarget', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', isNew: true };
    else if (spec.activeDeadlineSeconds != null && st.startTime && !suspended) {
      const left = Date.parse(st.startTime) + spec.activeDeadlineSeconds * 1000 - now.getTime();
      if (left <= 0) finish = { type: 'FailureTarget', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline', isNew: true };
      else requeue(left);
    }
    if (!finish && perIndex && spec.maxFailedIndexes != null && lostIndexes.size > spec.maxFailedIndexes)
      finish = { type: 'FailureTarget', reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximum number of failed indexes', isNew: true };
    else if (!finish && perIndex && lostIndexes.size > 0 && lostIndexes.size + doneIndexes.size >= (completions ?? 0))
      finish = { type: 'FailureTarget', reason: 'FailedIndexes', message: 'Job has failed indexes', isNew: true };
    const policyMet = !finish && indexed ? matchSuccessPolicy(spec.successPolicy, completions ?? 0, doneIndexes) : undefined;
    if (policyMet) finish = { type: 'SuccessCriteriaMet', reason: 'SuccessPolicy', message: policyMet, isNew: true };

    let suspendChanged = false;
    if (finish) {
      // Failing or done: stop what still runs (finalizers stay until counted below).
      const deleted = await this.actions.delete(key, job, active, { expect: false });
      // Not finished yet while a deletion failed or the cache may still miss pods.
      if (deleted !== active.length || !satisfied) finish = undefined;
      active = active.slice(deleted);
      terminating += deleted;
      ready = active.filter(isPodReady).length;
    } else {
      let managed = false;
      if (satisfied && !job.metadata?.deletionTimestamp) {
        const opts = { actions: this.actions, backoffBaseMs: this.backoffBaseMs, backoffMaxMs: this.backoffMaxMs };
        const cur = { active, terminating, succeeded, completed: doneIndexes, failedIndexes: lostIndexes, backoff, pods };
        const r = await manageJob(opts, key, job, cur, now.getTime());
        active = r.active;
        terminating += r.deleted;
        ready = active.filter(isPodReady).length;
        if (r.requeueAfterMs !== undefined) requeue(r.requeueAfterMs);
        managed = true;
      }
      const complete = completions === undefined ? succeeded > 0 && active.length === 0 : succeeded >= completions && active.length === 0;
      if (complete) finish = { type: 'SuccessCriteriaMet', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', isNew: true };
      else if (managed && suspended) {
        suspendChanged = setCondition(job, 'Suspended', 'True', 'JobSuspended', 'Job suspended', nowStr);
        if (suspendChanged) this.ctx.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
      } else if (managed) {
        suspendChanged = setCondition(job, 'Suspended', 'False', 'JobResumed', 'Job resumed', nowStr);
        if (suspendChanged) {
          this.ctx.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
          // activeDeadlineSeconds counts continuous activity, so it starts again.
          st.startTime = nowStr;
        }
      }
    }
    st.active = active.length;
    st.ready = ready;
    st.terminating = terminating;
    let needsFlush =
      suspendChanged || before.active !== st.active || before.ready !== st.ready || before.terminating !== st.terminating || before.startTime !== st.startTime;

    // trackJobStatusAndRemoveFinalizers.
    const tracked = new Set(pods.filter(hasTrackingFinalizer).map((p) => p.metadata?.uid ?? ''));
    if (countReleased(job, tracked)) needsFlush = true;
    const finishing = finish ? (finish.type === 'SuccessCriteriaMet' ? 'success' : 'failure') : undefined;
    const { release, changed } = recordFinished(job, pods, finishing, ignored);
    if (changed) needsFlush = true;
    if (perIndex) {
      const s = formatIndexes(lostIndexes);
      if (s !== st.failedIndexes) needsFlush = true;
      st.failedIndexes = s;
    }
    if (indexed) {
      const s = formatIndexes(doneIndexes);
      if (s !== (st.completedIndexes ?? '')) needsFlush = true;
      st.completedIndexes = s;
      st.succeeded = doneIndexes.size;
    }
    if (finish?.isNew) {
      setCondition(job, finish.type, 'True', finish.reason, finish.message, nowStr);
      needsFlush = true;
    }
    if (needsFlush) {
      Object.assign(job, await this.writeStatus(job));
      this.backoffs.set(key, backoff);
      needsFlush = false;
    }
    const released = await this.actions.untrack(release);
    for (const u of released) tracked.delete(u);
    if (countReleased(job, tracked)) needsFlush = true;

    // enactJobFinished: only once every pod is counted and none is still terminating.
    const stillUncounted = (job.status?.uncountedTerminatedPods?.succeeded?.length ?? 0) + (job.status?.uncountedTerminatedPods?.failed?.length ?? 0);
    if (finish && stillUncounted === 0 && (job.status?.terminating ?? 0) === 0) {
      const type = finish.type === 'SuccessCriteriaMet' ? 'Complete' : 'Failed';
      setCondition(job, type, 'True', finish.reason, finish.message, nowStr);
      if (type === 'Complete') (job.status as Status).completionTime = nowStr;
      await this.writeStatus(job);
      if (type === 'Complete') {
        if (completions !== undefined && (job.status?.succeeded ?? 0) > completions)
          this.ctx.recorder.event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
        this.ctx.recorder.event(job, 'Normal', 'Completed', 'Job completed');
      } else this.ctx.recorder.event(job, 'Warning', finish.reason, finish.message);
      return;
    }
    if (needsFlush) await this.writeStatus(job);
    return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
  }

  /** Pods of a deleted Job must not keep its tracking finalizer forever (upstream's orphan cleanup). */
  private async releaseOrphans(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const orphans = this.podInformer.store
      .byIndex('namespace', namespace)
      .filter((p) => hasTrackingFinalizer(p) && controllerOf(p)?.kind === 'Job' && controllerOf(p)?.name === name);
    await this.actions.untrack(orphans);
  }

  private async writeStatus(job: J): Promise<J> {
    return this.ctx.client.resource<J>(refs.jobs).update(job, 'status');
  }
}
