/**
 * @module The CronJob controller ("cronjob-controller", upstream cronjob_controllerv2.go): on
 * each schedule time of `spec.schedule` (in `spec.timeZone`, else the server's zone) create Job
 * `<cronjob>-<minutes since epoch>` from the job template, honouring suspend,
 * startingDeadlineSeconds (and upstream's ">100 missed start times" warning),
 * concurrencyPolicy Allow/Forbid/Replace; keep `status.active`, `lastScheduleTime` and
 * `lastSuccessfulTime`; prune finished Jobs past the history limits. Requeues itself for the
 * next schedule time, so time comes only from the injected clock.
 */
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { KubeObject, Mutable } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs } from '../client/refs.ts';
import { mostRecentScheduleTime, nextScheduleTime, parseCronSchedule, validTimeZone, type CronSchedule } from '../machinery/cron.ts';
import { wallTime, zoneOffset } from '../machinery/cron-zone.ts';
import { isAlreadyExists, isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext, type ReconcileResult } from './framework/controller.ts';
import { controllerOf, isControlledBy, newControllerRef } from './framework/owner.ts';

export const controllerName = 'cronjob-controller';
export const scheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
type CJ = CronJob & KubeObject;
type J = Job & KubeObject;
type Status = Mutable<NonNullable<CJ['status']>>;
const byCronJobUid = 'cronjob-uid';
/** Upstream nextScheduleDelta: slack after a schedule time before looking again. */
const nextSlackMs = 100;

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');

function finishedCondition(j: J): 'Complete' | 'Failed' | undefined {
  const c = j.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  return c?.type as 'Complete' | 'Failed' | undefined;
}

/** Go's time.Format(RFC3339) of t in the zone: `2026-05-01T09:00:00+02:00`, or `…Z` at UTC. */
export function formatInZone(t: Date, zone: string): string {
  const off = zoneOffset(t.getTime(), zone);
  const w = wallTime(t.getTime(), zone);
  const p = (n: number) => String(n).padStart(2, '0');
  const base = `${w.year}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}:${p(t.getUTCSeconds())}`;
  if (off === 0) return `${base}Z`;
  const m = Math.abs(off) / 60_000;
  return `${base}${off < 0 ? '-' : '+'}${p(Math.floor(m / 60))}:${p(m % 60)}`;
}

/** Go's time.Format(RFC1123Z) in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`. */
function rfc1123z(t: Date): string {
  return t.toUTCString().replace(/GMT$/, '+0000');
}

/** getJobFromTemplate2: the Job for one scheduled time (annotation in spec.timeZone, else UTC). */
export function jobForSchedule(cj: CJ, scheduled: Date): J {
  const tmpl = cj.spec?.jobTemplate ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${cj.metadata?.name}-${Math.floor(scheduled.getTime() / 60_000)}`,
      namespace: cj.metadata?.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}) },
      annotations: { ...(tmpl.metadata?.annotations ?? {}), [scheduledTimestampAnnotation]: formatInZone(scheduled, cj.spec?.timeZone ?? 'UTC') },
      ownerReferences: [newControllerRef(cj, { apiVersion: 'batch/v1', kind: 'CronJob' })],
    },
    spec: structuredClone(tmpl.spec) as J['spec'],
  };
}

function refTo(j: J): ObjectReference {
  const m = j.metadata ?? {};
  return { apiVersion: 'batch/v1', kind: 'Job', name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion };
}

/** byJobStartTime: started jobs first, by start time, then by name. */
function byStartTime(a: J, b: J): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa !== !sb) return sa ? -1 : 1;
  if (sa && sb && sa !== sb) return Date.parse(sa) - Date.parse(sb);
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

export class CronJobController implements Controller {
  readonly name = controllerName;
  private readonly cronJobs: Informer<CJ>;
  private readonly jobs: Informer<J>;
  private readonly runner: QueueRunner;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner(ctx, controllerName, (k) => this.reconcile(k), { workers: 2 });
    this.cronJobs = ctx.informers.informerFor<CJ>(refs.cronjobs);
    this.jobs = ctx.informers.informerFor<J>(refs.jobs);
    this.jobs.addIndex(byCronJobUid, (j) => {
      const ref = controllerOf(j);
      return ref?.kind === 'CronJob' ? [ref.uid] : [];
    });
    this.cronJobs.addEventHandler({
      onAdd: (c) => this.runner.enqueue(keyOf(c)),
      onUpdate: (_, c) => this.runner.enqueue(keyOf(c)),
    });
    const owner = (j: J) => {
      const ref = controllerOf(j);
      if (ref?.kind === 'CronJob') this.runner.enqueue(`${j.metadata?.namespace}/${ref.name}`);
    };
    this.jobs.addEventHandler({ onAdd: owner, onUpdate: (_, j) => owner(j), onDelete: owner });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private get jobClient() {
    return this.ctx.client.resource<J>(refs.jobs);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const cached = this.cronJobs.store.get(key);
    if (!cached) return;
    let cj = structuredClone(cached);
    const children = this.jobs.store.byIndex(byCronJobUid, cj.metadata?.uid ?? '');
    let before = JSON.stringify(cj.status ?? {});
    let result: ReconcileResult | void;
    try {
      const fresher = await this.syncChildren(cj, children);
      if (fresher) {
        cj = fresher;
        before = JSON.stringify(cj.status ?? {});
        await this.syncChildren(cj, children);
      }
      result = await this.schedule(cj);
      await this.cleanupFinishedJobs(cj, children);
    } finally {
      if (JSON.stringify(cj.status ?? {}) !== before) await this.ctx.client.resource<CJ>(refs.cronjobs).update(cj, 'status');
    }
    return result;
  }

  /**
   * Drops finished or vanished Jobs from `status.active` and advances lastSuccessfulTime. When
   * an unfinished child is missing from our (cached) status, returns the live CronJob if that
   * one already lists it: our cache is merely behind.
   */
  private async syncChildren(cj: CJ, children: J[]): Promise<CJ | undefined> {
    const status = (cj.status ??= {}) as Status;
    const inActive = (c: CJ, uid?: string) => !!c.status?.active?.some((r) => r.uid === uid);
    for (const j of children) {
      const done = finishedCondition(j);
      if (!inActive(cj, j.metadata?.uid) && !done) {
        const live = await this.ctx.client.resource<CJ>(refs.cronjobs).get(cj.metadata?.name ?? '', cj.metadata?.namespace);
        if (live.metadata?.uid === cj.metadata?.uid && inActive(live, j.metadata?.uid)) return live;
        this.ctx.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata?.name}`);
      } else if (inActive(cj, j.metadata?.uid) && done) {
        status.active = status.active?.filter((r) => r.uid !== j.metadata?.uid);
        this.ctx.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name}, condition: ${done}`);
      }
      const completed = done === 'Complete' ? j.status?.completionTime : undefined;
      if (completed && (!status.lastSuccessfulTime || Date.parse(completed) > Date.parse(status.lastSuccessfulTime))) status.lastSuccessfulTime = completed;
    }
    const uids = new Set(children.map((j) => j.metadata?.uid));
    for (const r of [...(status.active ?? [])]) {
      if (uids.has(r.uid)) continue;
      // The informer may lag a create we just made: ask the API server before calling it missing.
      try {
        await this.jobClient.get(r.name ?? '', r.namespace);
        continue;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.ctx.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${r.name}`);
      status.active = status.active?.filter((x) => x.uid !== r.uid);
    }
    if (status.active?.length === 0) delete status.active;
    return undefined;
  }

  /** syncCronJob's scheduling half: create the Job that is due, if any. */
  private async schedule(cj: CJ): Promise<ReconcileResult | void> {
    const spec = cj.spec!;
    if (cj.metadata?.deletionTimestamp) return;
    const tz = spec.timeZone ?? undefined;
    if (tz !== undefined && !validTimeZone(tz)) {
      this.ctx.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${tz}": unknown time zone ${tz}`);
      return;
    }
    if (spec.suspend) return;
    let sched: CronSchedule;
    try {
      if (spec.schedule.includes('TZ'))
        this.ctx.recorder.event(cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule "${spec.schedule}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
      sched = parseCronSchedule(spec.schedule);
      if (tz !== undefined && !spec.schedule.includes('TZ')) sched.timeZone = tz;
    } catch (err) {
      this.ctx.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${spec.schedule}" : ${(err as Error).message}`);
      return;
    }
    const now = this.ctx.clock.now();
    const requeueNext = (): ReconcileResult | void => {
      const next = nextScheduleTime(sched, now);
      return next ? { requeueAfterMs: next.getTime() - now.getTime() + nextSlackMs } : undefined;
    };
    const status = cj.status as Status;
    let earliest = new Date(status.lastScheduleTime ?? cj.metadata?.creationTimestamp ?? now.toISOString());
    if (spec.startingDeadlineSeconds != null) {
      const floor = new Date(now.getTime() - spec.startingDeadlineSeconds * 1000);
      if (floor > earliest) earliest = floor;
    }
    let scheduled: Date | undefined;
    try {
      const m = mostRecentScheduleTime(sched, earliest, now);
      scheduled = m.mostRecent;
      if (scheduled && m.missed > 100)
        this.ctx.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    } catch (err) {
      this.ctx.recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${spec.schedule} : ${(err as Error).message}`);
      return;
    }
    if (!scheduled) return requeueNext();
    if (spec.startingDeadlineSeconds != null && scheduled.getTime() + spec.startingDeadlineSeconds * 1000 < now.getTime()) {
      this.ctx.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return requeueNext();
    }
    const want = jobForSchedule(cj, scheduled);
    if (status.active?.some((r) => r.name === want.metadata?.name) || (status.lastScheduleTime && Date.parse(status.lastScheduleTime) === scheduled.getTime()))
      return requeueNext();
    if (spec.concurrencyPolicy === 'Forbid' && (status.active?.length ?? 0) > 0) {
      this.ctx.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return requeueNext();
    }
    if (spec.concurrencyPolicy === 'Replace') for (const r of [...(status.active ?? [])]) await this.replace(cj, r);

    let job: J;
    try {
      job = await this.jobClient.create(want, cj.metadata?.namespace);
      this.ctx.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata?.name}`);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.ctx.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        throw err;
      }
      // Ours from an earlier pass whose status write was lost: record it; someone else's: leave it.
      job = await this.jobClient.get(want.metadata!.name!, cj.metadata?.namespace);
      if (!isControlledBy(job, cj) || status.active?.some((r) => r.uid === job.metadata?.uid)) return requeueNext();
    }
    status.active = [...(status.active ?? []), refTo(job)];
    status.lastScheduleTime = rfc3339(scheduled);
    return requeueNext();
  }

  /** Replace: delete a still-running Job before starting the next. */
  private async replace(cj: CJ, r: ObjectReference): Promise<void> {
    let job: J;
    try {
      job = await this.jobClient.get(r.name ?? '', r.namespace);
    } catch (err) {
      this.ctx.recorder.event(cj, 'Warning', 'FailedGet', `Get job: ${(err as Error).message}`);
      throw err;
    }
    await this.deleteJob(cj, job);
  }

  private async deleteJob(cj: CJ, job: J): Promise<void> {
    try {
      await this.jobClient.delete(job.metadata?.name ?? '', { namespace: job.metadata?.namespace, propagationPolicy: 'Background' });
    } catch (err) {
      if (!isNotFound(err)) {
        this.ctx.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
        throw err;
      }
    }
    const status = cj.status as Status;
    status.active = status.active?.filter((x) => x.uid !== job.metadata?.uid);
    if (status.active?.length === 0) delete status.active;
    this.ctx.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata?.name}`);
  }

  /** Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit. */
  private async cleanupFinishedJobs(cj: CJ, children: J[]): Promise<void> {
    const prune = async (kind: 'Complete' | 'Failed', limit: number | undefined | null) => {
      if (limit === undefined || limit === null) return;
      const done = children.filter((j) => finishedCondition(j) === kind && !j.metadata?.deletionTimestamp).sort(byStartTime);
      for (const j of done.slice(0, Math.max(0, done.length - limit))) await this.deleteJob(cj, j);
    };
    await prune('Complete', cj.spec?.successfulJobsHistoryLimit);
    await prune('Failed', cj.spec?.failedJobsHistoryLimit);
  }
}
