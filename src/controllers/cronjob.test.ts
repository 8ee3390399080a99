/**
 * The CronJob controller's reconcile driven by a fake clock against an in-process API server
 * (memory store, no controller manager: only the controller under test acts on CronJobs).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../api/object.ts';
import { InformerFactory } from '../client/cache/factory.ts';
import type { EventRecorder } from '../client/events/recorder.ts';
import { refs } from '../client/refs.ts';
import type { Client } from '../client/rest.ts';
import { realClock, type Clock } from '../util/clock.ts';
import { silentLogger } from '../util/log.ts';
import { startInProcessApi } from '../../test/support/in-process-api.ts';
import { CronJobController, scheduledTimestampAnnotation } from './cronjob.ts';

type CJ = CronJob & KubeObject;
type J = Job & KubeObject;

async function until<T>(f: () => T | undefined | false, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('cronjob-controller reconcile', () => {
  const stop = new AbortController();
  let now = new Date('2027-01-01T00:00:30Z');
  const clock: Clock = { now: () => now, sleep: realClock.sleep };
  const events: string[] = [];
  const recorder: EventRecorder = { event: (_o, type, reason, message) => void events.push(`${type} ${reason} ${message}`) };
  let controller: CronJobController;
  let client: Client;
  let informers: InformerFactory;

  before(async () => {
    const user = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
    ({ client } = await startInProcessApi({ user, signal: stop.signal }));
    informers = new InformerFactory(client, { clock, logger: silentLogger });
    controller = new CronJobController({ client, informers, recorder, clock, logger: silentLogger });
    informers.start(stop.signal);
    await informers.waitForSync(stop.signal);
  });
  after(() => stop.abort());

  const cronJobs = () => client.resource<CJ>(refs.cronjobs);
  const jobs = () => client.resource<J>(refs.jobs);
  const cached = <T extends KubeObject>(ref: typeof refs.jobs, name: string, pred: (o: T) => boolean = () => true) =>
    until(() => {
      const o = informers.informerFor<T>(ref).store.getByName('default', name);
      return o && pred(o) ? o : undefined;
    }, `${name} in the cache`);

  it('creates the job for the latest missed time, then honours Forbid and Replace', async () => {
    await cronJobs().create({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'yearly', namespace: 'default' },
      spec: {
        schedule: '0 0 1 1 *',
        timeZone: 'Europe/Berlin',
        concurrencyPolicy: 'Forbid',
        jobTemplate: { metadata: { labels: { app: 'y' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
      },
    });
    await cached<CJ>(refs.cronjobs, 'yearly');
    // New Year in Berlin is 23:00Z the day before.
    const res = await controller.reconcile('default/yearly');
    const first = Date.parse('2026-12-31T23:00:00Z');
    const name1 = `yearly-${first / 60_000}`;
    const job1 = await jobs().get(name1, 'default');
    assert.equal(job1.metadata?.annotations?.[scheduledTimestampAnnotation], '2027-01-01T00:00:00+01:00');
    assert.equal(job1.metadata?.labels?.app, 'y');
    assert.equal(job1.metadata?.ownerReferences?.[0]?.controller, true);
    assert.ok(res && res.requeueAfterMs! > 300 * 86400_000, 'requeued for next New Year');
    let cj = await cronJobs().get('yearly', 'default');
    assert.equal(cj.status?.lastScheduleTime, '2026-12-31T23:00:00Z');
    assert.deepEqual(cj.status?.active?.map((r) => r.name), [name1]);
    assert.ok(events.includes(`Normal SuccessfulCreate Created job ${name1}`));

    // A year on, the first job still runs: Forbid skips this start.
    now = new Date('2028-01-01T00:00:30Z');
    await cached<J>(refs.jobs, name1);
    await cached<CJ>(refs.cronjobs, 'yearly', (c) => !!c.status?.active?.length);
    await controller.reconcile('default/yearly');
    assert.ok(events.includes('Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid'));
    assert.equal((await jobs().list({ namespace: 'default', labelSelector: 'app=y' })).items.length, 1);

    // Replace deletes the running job and starts the new one.
    cj = await cronJobs().patch('yearly', 'merge', { spec: { concurrencyPolicy: 'Replace' } }, { namespace: 'default' });
    await cached<CJ>(refs.cronjobs, 'yearly', (c) => c.spec?.concurrencyPolicy === 'Replace');
    await controller.reconcile('default/yearly');
    const name2 = `yearly-${Date.parse('2027-12-31T23:00:00Z') / 60_000}`;
    assert.ok(events.includes(`Normal SuccessfulDelete Deleted job ${name1}`));
    await jobs().get(name2, 'default');
    cj = await cronJobs().get('yearly', 'default');
    assert.deepEqual(cj.status?.active?.map((r) => r.name), [name2]);
  });

  it('records a finished job and misses a start past startingDeadlineSeconds', async () => {
    const name2 = `yearly-${Date.parse('2027-12-31T23:00:00Z') / 60_000}`;
    const job = await jobs().get(name2, 'default');
    const t = '2028-01-01T00:05:00Z';
    await jobs().update({ ...job, status: { startTime: t, completionTime: t, succeeded: 1, conditions: [{ type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: t }, { type: 'Complete', status: 'True', lastTransitionTime: t }] } } as J, 'status');
    await cached<J>(refs.jobs, name2, (j) => !!j.status?.completionTime);
    await cached<CJ>(refs.cronjobs, 'yearly', (c) => c.status?.active?.[0]?.name === name2);
    await controller.reconcile('default/yearly');
    assert.ok(events.some((e) => e === `Normal SawCompletedJob Saw completed job: ${name2}, condition: Complete`));
    let cj = await cronJobs().get('yearly', 'default');
    assert.equal(cj.status?.active, undefined);
    assert.equal(cj.status?.lastSuccessfulTime, t);

    await cronJobs().patch('yearly', 'merge', { spec: { startingDeadlineSeconds: 10 } }, { namespace: 'default' });
    await cached<CJ>(refs.cronjobs, 'yearly', (c) => c.spec?.startingDeadlineSeconds === 10 && !c.status?.active);
    now = new Date('2029-01-01T00:00:30Z');
    await controller.reconcile('default/yearly');
    cj = await cronJobs().get('yearly', 'default');
    assert.equal(cj.status?.lastScheduleTime, '2027-12-31T23:00:00Z', 'no job for a start missed by more than the deadline');
    assert.equal((await jobs().list({ namespace: 'default', labelSelector: 'app=y' })).items.filter((j) => !j.metadata?.deletionTimestamp).length, 1);
  });

  it('catches up once after many missed times, re-adopts a job whose status was lost, and prunes history', async () => {
    await cronJobs().create({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'often', namespace: 'default' },
      spec: {
        schedule: '*/5 * * * *',
        successfulJobsHistoryLimit: 1,
        jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
      },
    });
    await cached<CJ>(refs.cronjobs, 'often');
    now = new Date('2030-06-01T12:07:00Z');
    events.length = 0;
    await controller.reconcile('default/often');
    assert.ok(events.includes('Warning TooManyMissedTimes too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew'));
    const nameA = `often-${Date.parse('2030-06-01T12:05:00Z') / 60_000}`;
    const a = await jobs().get(nameA, 'default');
    assert.equal(a.metadata?.annotations?.[scheduledTimestampAnnotation], '2030-06-01T12:05:00Z', 'UTC without a timeZone');
    assert.equal((await jobs().list({ namespace: 'default' })).items.filter((j) => j.metadata?.name?.startsWith('often-')).length, 1, 'only the latest missed time runs');

    // Lose the status write: the next pass finds the job by name and records it again.
    let cj = await cronJobs().get('often', 'default');
    await cronJobs().update({ ...cj, status: {} } as CJ, 'status');
    await cached<J>(refs.jobs, nameA);
    await cached<CJ>(refs.cronjobs, 'often', (c) => !c.status?.active);
    await controller.reconcile('default/often');
    assert.ok(events.includes(`Warning UnexpectedJob Saw a job that the controller did not create or forgot: ${nameA}`));
    cj = await cronJobs().get('often', 'default');
    assert.deepEqual(cj.status?.active?.map((r) => r.uid), [a.metadata?.uid]);
    assert.equal(cj.status?.lastScheduleTime, '2030-06-01T12:05:00Z');

    const complete = async (name: string, at: string) => {
      const j = await jobs().get(name, 'default');
      await jobs().update({ ...j, status: { startTime: at, completionTime: at, succeeded: 1, conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: at }] } } as J, 'status');
      await cached<J>(refs.jobs, name, (x) => !!x.status?.completionTime);
    };
    await complete(nameA, '2030-06-01T12:06:00Z');
    now = new Date('2030-06-01T12:10:30Z');
    await cached<CJ>(refs.cronjobs, 'often', (c) => !!c.status?.active);
    await controller.reconcile('default/often');
    const nameB = `often-${Date.parse('2030-06-01T12:10:00Z') / 60_000}`;
    await complete(nameB, '2030-06-01T12:11:00Z');
    await cached<CJ>(refs.cronjobs, 'often', (c) => c.status?.active?.[0]?.name === nameB);
    now = new Date('2030-06-01T12:12:00Z');
    await controller.reconcile('default/often');
    // One successful job is kept: the older one goes.
    assert.ok(events.includes(`Normal SuccessfulDelete Deleted job ${nameA}`));
    await assert.rejects(jobs().get(nameA, 'default'), (e: Error & { code?: number }) => e.code === 404);
    await jobs().get(nameB, 'default');
    cj = await cronJobs().get('often', 'default');
    assert.equal(cj.status?.lastSuccessfulTime, '2030-06-01T12:11:00Z');
    assert.equal(cj.status?.active, undefined);
  });
});
