import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronScheduleError, mostRecentScheduleTime, nextScheduleTime, parseCronSchedule, validTimeZone } from './cron.ts';

const next = (spec: string, after: string, zone?: string) => {
  const s = parseCronSchedule(spec);
  if (zone) s.timeZone = zone;
  return nextScheduleTime(s, new Date(after))?.toISOString();
};

test('steps, lists, ranges and names', () => {
  assert.equal(next('*/15 * * * *', '2026-05-01T10:07:00Z', 'UTC'), '2026-05-01T10:15:00.000Z');
  assert.equal(next('*/1 * * * *', '2026-05-01T10:07:30Z', 'UTC'), '2026-05-01T10:08:00.000Z');
  // "N/step" means N through the maximum.
  assert.equal(next('5/20 * * * *', '2026-05-01T10:26:00Z', 'UTC'), '2026-05-01T10:45:00.000Z');
  assert.equal(next('0 12 * jan-mar mon-fri', '2026-03-31T12:00:00Z', 'UTC'), '2027-01-01T12:00:00.000Z');
  assert.equal(next('0 0 1,15 * *', '2026-05-02T00:00:00Z', 'UTC'), '2026-05-15T00:00:00.000Z');
  // Both day fields restricted: either may match (Saturday the 2nd, though not a Friday).
  assert.equal(next('0 0 2 * 5', '2026-05-01T01:00:00Z', 'UTC'), '2026-05-02T00:00:00.000Z');
  // One day field is '*': both must match.
  assert.equal(next('0 0 * * 5', '2026-05-01T01:00:00Z', 'UTC'), '2026-05-08T00:00:00.000Z');
  assert.equal(next('0 0 30 2 *', '2026-05-01T00:00:00Z', 'UTC'), undefined);
});

test('descriptors', () => {
  assert.equal(next('@hourly', '2026-05-01T10:00:00Z', 'UTC'), '2026-05-01T11:00:00.000Z');
  assert.equal(next('@hourly', '2026-05-01T10:59:59Z', 'UTC'), '2026-05-01T11:00:00.000Z');
  assert.equal(next('@daily', '2026-05-01T10:00:00Z', 'UTC'), '2026-05-02T00:00:00.000Z');
  assert.equal(next('@weekly', '2026-05-01T10:00:00Z', 'UTC'), '2026-05-03T00:00:00.000Z');
  assert.equal(next('@monthly', '2026-05-01T10:00:00Z', 'UTC'), '2026-06-01T00:00:00.000Z');
  assert.equal(next('@yearly', '2026-05-01T10:00:00Z', 'UTC'), '2027-01-01T00:00:00.000Z');
  assert.equal(next('@every 90s', '2026-05-01T10:00:00.500Z', 'UTC'), '2026-05-01T10:01:30.000Z');
});

test('next times across DST in a zone', () => {
  const ny = 'America/New_York';
  // 09:00 local is 14:00Z in EST and 13:00Z once DST starts (2026-03-08).
  assert.equal(next('0 9 * * *', '2026-03-07T15:00:00Z', ny), '2026-03-08T13:00:00.000Z');
  // 02:30 does not exist on 2026-03-08: that day is skipped.
  assert.equal(next('30 2 * * *', '2026-03-07T17:00:00Z', ny), '2026-03-09T06:30:00.000Z');
  // 01:30 happens twice on 2026-11-01 (EDT then EST): robfig fires at both.
  assert.equal(next('30 1 * * *', '2026-11-01T05:00:00Z', ny), '2026-11-01T05:30:00.000Z');
  assert.equal(next('30 1 * * *', '2026-11-01T05:30:00Z', ny), '2026-11-01T06:30:00.000Z');
  // A half-hour zone, and a CRON_TZ prefix.
  assert.equal(next('0 * * * *', '2026-05-01T10:05:00Z', 'Asia/Kolkata'), '2026-05-01T10:30:00.000Z');
  assert.equal(nextScheduleTime(parseCronSchedule('CRON_TZ=Asia/Tokyo 0 9 * * *'), new Date('2026-05-01T01:00:00Z'))?.toISOString(), '2026-05-02T00:00:00.000Z');
});

test('parse errors match robfig messages', () => {
  assert.equal(cronScheduleError('* * * *'), 'expected exactly 5 fields, found 4: [* * * *]');
  assert.equal(cronScheduleError('61 * * * *'), 'end of range (61) above maximum (59): 61');
  assert.equal(cronScheduleError('@sometimes'), 'unrecognized descriptor: @sometimes');
  assert.equal(cronScheduleError('5-1 * * * *'), 'beginning of range (5) beyond end of range (1): 5-1');
  assert.equal(cronScheduleError('*/0 * * * *'), 'step of range should be a positive number: */0');
  assert.match(cronScheduleError('TZ=Nowhere/Land * * * * *') ?? '', /unknown time zone/);
  assert.equal(cronScheduleError('0-30/5 1,2 1 jan-mar mon-fri'), undefined);
  assert.equal(validTimeZone('Europe/Berlin'), true);
  assert.equal(validTimeZone('Local'), false);
  assert.equal(validTimeZone('Mars/Olympus'), false);
});

test('most recent missed time and how many were missed', () => {
  const s = parseCronSchedule('*/1 * * * *');
  s.timeZone = 'UTC';
  const at = (t: string) => new Date(t);
  assert.deepEqual(mostRecentScheduleTime(s, at('2026-05-01T10:00:10Z'), at('2026-05-01T10:00:50Z')), { missed: 0 });
  assert.deepEqual(mostRecentScheduleTime(s, at('2026-05-01T10:00:10Z'), at('2026-05-01T10:01:05Z')), { mostRecent: at('2026-05-01T10:01:00Z'), missed: 1 });
  const many = mostRecentScheduleTime(s, at('2026-05-01T10:00:00Z'), at('2026-05-01T12:30:30Z'));
  assert.equal(many.missed, 150);
  assert.deepEqual(many.mostRecent, at('2026-05-01T12:30:00Z'));
  // Uneven schedules still find the exact last time.
  const uneven = parseCronSchedule('30 6-16/4 * * 1-5');
  uneven.timeZone = 'UTC';
  assert.deepEqual(mostRecentScheduleTime(uneven, at('2026-05-01T00:00:00Z'), at('2026-05-06T15:00:00Z')).mostRecent, at('2026-05-06T14:30:00Z'));
});
