import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronJobStrategy } from './cronjob.ts';
import { cronScheduleError } from '../../../machinery/cron.ts';

function cj(schedule: string) {
  return {
    metadata: { name: 'hello', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      schedule,
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
    },
  } as any;
}

test('cron schedules', () => {
  for (const ok of ['*/1 * * * *', '0 0 * * 0', '@hourly', '@daily', '0-30/5 1,2 1 jan-mar mon-fri'])
    assert.equal(cronScheduleError(ok), undefined, ok);
  for (const bad of ['* * * *', '61 * * * *', '@sometimes', 'a b c d e']) assert.ok(cronScheduleError(bad), bad);
});

test('cronjob defaults and validation', () => {
  const c = cj('*/5 * * * *');
  cronJobStrategy.defaults!(c);
  assert.equal(c.spec.concurrencyPolicy, 'Allow');
  assert.equal(c.spec.suspend, false);
  assert.equal(c.spec.successfulJobsHistoryLimit, 3);
  assert.equal(c.spec.failedJobsHistoryLimit, 1);
  assert.deepEqual(cronJobStrategy.validate(c), []);
  const bad = cj('not a cron');
  cronJobStrategy.defaults!(bad);
  const errs = cronJobStrategy.validate(bad);
  assert.equal(errs[0]?.field, 'spec.schedule');
  assert.equal(errs[0]?.type, 'FieldValueInvalid');
});

test('cronjob table', () => {
  const c = cj('@hourly');
  cronJobStrategy.defaults!(c);
  const now = new Date('2026-01-01T01:00:00Z');
  assert.deepEqual(
    cronJobStrategy.table.columns.filter((x) => x.priority === 0).map((x) => x.name),
    ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age'],
  );
  assert.deepEqual(cronJobStrategy.table.cells(c, now).slice(0, 7), ['hello', '@hourly', '<none>', 'False', 0, '<none>', '60m']);
});

test('cronjob refuses TZ anywhere in the schedule, with or without timeZone', () => {
  for (const [schedule, timeZone] of [
    ['TZ=UTC 0 * * * *', undefined],
    ['CRON_TZ=Europe/Paris 0 * * * *', 'Europe/Paris'],
    ['TZ=UTC 0 * * * *', 'UTC'],
  ] as const) {
    const c = cj(schedule);
    if (timeZone) c.spec.timeZone = timeZone;
    cronJobStrategy.defaults!(c);
    const errs = cronJobStrategy.validate(c).filter((e) => e.field === 'spec.schedule');
    assert.equal(errs.length, 1, schedule);
    assert.match(errs[0]!.detail ?? '', /cannot use TZ or CRON_TZ in schedule, use timeZone field instead/);
  }
  const ok = cj('0 * * * *');
  ok.spec.timeZone = 'UTC';
  cronJobStrategy.defaults!(ok);
  assert.deepEqual(cronJobStrategy.validate(ok), []);
});
