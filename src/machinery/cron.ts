/**
 * @module Cron schedules as CronJobs read them: robfig/cron's standard parser (5 fields, names,
 * ranges, steps, lists, `@yearly`…`@hourly`, `@every`, an optional `TZ=`/`CRON_TZ=` prefix), the
 * next activation after a time in a schedule's time zone (robfig's `SpecSchedule.Next`, DST
 * included), and upstream's CronJob time-zone checks. Pure: time zones come from `Intl`.
 */
import { wallTime, zonedInstant } from './cron-zone.ts';

export interface CronSchedule {
  /** Bit sets of the allowed values per field; `star` marks a `*`/`?` day field (robfig's starBit). */
  minute: bigint;
  hour: bigint;
  dom: bigint;
  month: bigint;
  dow: bigint;
  domStar: boolean;
  dowStar: boolean;
  /** IANA zone, or undefined for the process's local zone. */
  timeZone?: string;
  /** For `@every`: a constant delay in whole seconds (robfig's ConstantDelaySchedule). */
  everySeconds?: number;
}

export class CronParseError extends Error {
  override name = 'CronParseError';
}

const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

type Bounds = [min: number, max: number, names?: Record<string, number>];
const bounds: Bounds[] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12, { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 }],
  [0, 6, { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 }],
];

/** Parses a schedule as robfig's ParseStandard does; throws CronParseError with its message. */
export function parseCronSchedule(schedule: string): CronSchedule {
  let s = schedule.trim();
  let timeZone: string | undefined;
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) {
    const i = s.indexOf(' ');
    if (i < 0) throw new CronParseError('missing fields');
    timeZone = s.slice(s.indexOf('=') + 1, i);
    if (!knownTimeZone(timeZone)) throw new CronParseError(`provided bad location ${timeZone}: unknown time zone ${timeZone}`);
    s = s.slice(i + 1).trim();
  }
  if (s.startsWith('@')) {
    if (s.startsWith('@every ')) {
      const secs = parseGoDuration(s.slice(7).trim());
      if (secs === undefined) throw new CronParseError(`failed to parse duration ${s}`);
      return { ...parseFields(descriptors['@hourly']!), timeZone, everySeconds: Math.max(1, Math.floor(secs)) };
    }
    const expanded = descriptors[s];
    if (!expanded) throw new CronParseError(`unrecognized descriptor: ${s}`);
    s = expanded;
  }
  return { ...parseFields(s), timeZone };
}

/** Returns an error string for an invalid schedule, undefined when it parses. */
export function cronScheduleError(schedule: string): string | undefined {
  try {
    parseCronSchedule(schedule);
    return undefined;
  } catch (err) {
    if (err instanceof CronParseError) return err.message;
    throw err;
  }
}

function parseFields(s: string): Omit<CronSchedule, 'timeZone'> {
  const fields = s.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const parsed = fields.map((f, i) => parseField(f, bounds[i]!));
  return {
    minute: parsed[0]!.bits,
    hour: parsed[1]!.bits,
    dom: parsed[2]!.bits,
    month: parsed[3]!.bits,
    dow: parsed[4]!.bits,
    domStar: parsed[2]!.star,
    dowStar: parsed[4]!.star,
  };
}

function parseField(field: string, [min, max, names]: Bounds): { bits: bigint; star: boolean } {
  let bits = 0n;
  let star = false;
  for (const expr of field.split(',')) {
    const [range = '', ...more] = expr.split('/');
    if (more.length > 1) throw new CronParseError(`too many slashes: ${expr}`);
    let lo: number;
    let hi: number;
    let exprStar = false;
    if (range === '*' || range === '?') {
      lo = min;
      hi = max;
      exprStar = true;
    } else {
      const parts = range.split('-');
      if (parts.length > 2) throw new CronParseError(`too many hyphens: ${expr}`);
      const vals = parts.map((p) => {
        const n = names?.[p.toLowerCase()] ?? (/^\d+$/.test(p) ? Number(p) : NaN);
        if (Number.isNaN(n)) throw new CronParseError(`failed to parse int from ${p}`);
        return n;
      });
      lo = vals[0]!;
      hi = vals[1] ?? lo;
    }
    let step = 1;
    if (more.length === 1) {
      if (!/^\d+$/.test(more[0]!)) throw new CronParseError(`failed to parse int from ${more[0]}`);
      step = Number(more[0]);
      // "N/step" means "N-max/step".
      if (!exprStar && !range.includes('-')) hi = max;
      if (step > 1) exprStar = false;
    }
    if (lo < min) throw new CronParseError(`beginning of range (${lo}) below minimum (${min}): ${expr}`);
    if (hi > max) throw new CronParseError(`end of range (${hi}) above maximum (${max}): ${expr}`);
    if (lo > hi) throw new CronParseError(`beginning of range (${lo}) beyond end of range (${hi}): ${expr}`);
    if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
    for (let v = lo; v <= hi; v += step) bits |= 1n << BigInt(v);
    star ||= exprStar;
  }
  return { bits, star };
}

/** Go's time.ParseDuration, to whole seconds (only what `@every` needs). */
function parseGoDuration(s: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * units[m[2]!]!;
  return total;
}

const has = (bits: bigint, v: number) => ((bits >> BigInt(v)) & 1n) === 1n;

function dayMatches(s: CronSchedule, dom: number, dow: number): boolean {
  const a = has(s.dom, dom);
  const b = has(s.dow, dow);
  return s.domStar || s.dowStar ? a && b : a || b;
}

/**
 * The first activation strictly after `after` (robfig's Next), or undefined when the schedule
 * can never fire (e.g. `0 0 30 2 *`) within five years. Wall-clock steps (month, day) are taken
 * in the zone; hour and minute steps are absolute, so a DST gap skips a time and a repeated
 * hour fires twice, as robfig does.
 */
export function nextScheduleTime(s: CronSchedule, after: Date): Date | undefined {
  if (s.everySeconds !== undefined) return new Date(Math.floor(after.getTime() / 1000) * 1000 + s.everySeconds * 1000);
  const zone = s.timeZone;
  // Truncate to the minute and move on one: cron fires on minute boundaries.
  let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
  const yearLimit = wallTime(t, zone).year + 5;
  wrap: for (;;) {
    let w = wallTime(t, zone);
    if (w.year > yearLimit) return undefined;
    while (!has(s.month, w.month)) {
      t = zonedInstant(w.year, w.month + 1, 1, 0, 0, zone);
      w = wallTime(t, zone);
      if (w.year > yearLimit) return undefined;
      if (w.month === 1) continue wrap;
    }
    while (!dayMatches(s, w.day, w.weekday)) {
      t = zonedInstant(w.year, w.month, w.day + 1, 0, 0, zone);
      w = wallTime(t, zone);
      if (w.day === 1) continue wrap;
    }
    while (!has(s.hour, w.hour)) {
      // Truncate to the local hour, then step one absolute hour.
      t = t - w.minute * 60_000 + 3_600_000;
      w = wallTime(t, zone);
      if (w.hour === 0) continue wrap;
    }
    while (!has(s.minute, w.minute)) {
      t += 60_000;
      w = wallTime(t, zone);
      if (w.minute === 0) continue wrap;
    }
    return new Date(t);
  }
}

export interface MissedSchedules {
  /** The latest activation in (earliest, now], if any. */
  mostRecent?: Date;
  /** About how many activations fell in (earliest, now] (upstream's estimate; exact for even schedules). */
  missed: number;
}

/**
 * Upstream mostRecentScheduleTime: the latest activation after `earliest` and not after `now`,
 * and the number of activations missed, estimated from the gap between two activations so a
 * long outage does not walk every minute. Throws for a schedule whose activations are not at
 * least a second apart.
 */
export function mostRecentScheduleTime(s: CronSchedule, earliest: Date, now: Date): MissedSchedules {
  const t1 = nextScheduleTime(s, earliest);
  if (!t1 || now < t1) return { missed: 0 };
  const t2 = nextScheduleTime(s, t1);
  if (!t2 || now < t2) return { mostRecent: t1, missed: 1 };
  const gap = Math.round((t2.getTime() - t1.getTime()) / 1000);
  if (gap < 1) throw new CronParseError('time difference between two schedules is less than 1 second');
  const elapsed = Math.floor((now.getTime() - t1.getTime()) / 1000);
  const missed = Math.floor(elapsed / gap) + 1;
  // Start a step before the estimate and let the schedule itself find the exact last time.
  const t = new Date(t1.getTime() + (missed - 2) * gap * 1000);
  let mostRecent: Date | undefined;
  for (let n = nextScheduleTime(s, t); n && n <= now; n = nextScheduleTime(s, n)) mostRecent = n;
  return mostRecent ? { mostRecent, missed } : { missed };
}

/** True when `tz` names a zone the runtime's IANA database knows (upstream rejects "" and "Local"). */
export function validTimeZone(tz: string): boolean {
  if (tz === '' || tz.toLowerCase() === 'local') return false;
  return knownTimeZone(tz);
}

function knownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
