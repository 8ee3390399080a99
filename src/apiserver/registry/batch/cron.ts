/**
 * @module Cron schedule validation as robfig/cron's standard parser (5 fields or a
 * `@descriptor`), plus the CronJob time-zone checks.
 */

const descriptors = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const bounds: Array<[number, number, Record<string, number>?]> = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12, { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 }],
  [0, 6, { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 }],
];

/** Returns an error string for an invalid schedule, undefined when it parses. */
export function cronScheduleError(schedule: string): string | undefined {
  let s = schedule.trim();
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) {
    const i = s.indexOf(' ');
    if (i < 0) return 'missing fields';
    s = s.slice(i + 1).trim();
  }
  if (s.startsWith('@')) {
    if (descriptors.includes(s)) return undefined;
    if (s.startsWith('@every ')) return /^@every\s+(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s) ? undefined : `failed to parse duration ${s}`;
    return `unrecognized descriptor: ${s}`;
  }
  const fields = s.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  for (let i = 0; i < 5; i++) {
    const err = fieldError(fields[i]!, bounds[i]!);
    if (err) return err;
  }
  return undefined;
}

function fieldError(field: string, [min, max, names]: [number, number, Record<string, number>?]): string | undefined {
  for (const expr of field.split(',')) {
    const [rangeAndStep, ...more] = expr.split('/');
    if (more.length > 1) return `too many slashes: ${expr}`;
    const range = rangeAndStep ?? '';
    if (more.length === 1 && !/^\d+$/.test(more[0]!)) return `failed to parse int from ${more[0]}`;
    if (more.length === 1 && Number(more[0]) === 0) return `step of range should be a positive number: ${expr}`;
    if (range === '*' || range === '?') continue;
    const parts = range.split('-');
    if (parts.length > 2) return `too many hyphens: ${expr}`;
    const vals: number[] = [];
    for (const p of parts) {
      const n = names?.[p.toLowerCase()] ?? (/^\d+$/.test(p) ? Number(p) : NaN);
      if (Number.isNaN(n)) return `failed to parse int from ${p}`;
      vals.push(n);
    }
    const lo = vals[0]!;
    const hi = vals[1] ?? lo;
    if (lo < min) return `beginning of range (${lo}) below minimum (${min}): ${expr}`;
    if (hi > max) return `end of range (${hi}) above maximum (${max}): ${expr}`;
    if (lo > hi) return `beginning of range (${lo}) beyond end of range (${hi}): ${expr}`;
  }
  return undefined;
}

/** True when `tz` names a zone the runtime's IANA database knows. */
export function validTimeZone(tz: string): boolean {
  if (tz === '' || tz.toLowerCase() === 'local') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
