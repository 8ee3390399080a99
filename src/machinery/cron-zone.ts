/**
 * @module Wall-clock arithmetic in an IANA time zone through `Intl.DateTimeFormat` (no tz
 * database of our own): the local fields of an instant, and the instant of a local time, with
 * Go's `time.Date` normalisation (month 13, day 32) and its choice for times in a DST gap.
 */

export interface WallTime {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string | undefined): Intl.DateTimeFormat {
  const key = zone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(key, f);
  }
  return f;
}

const isUtc = (zone: string | undefined) => zone === 'UTC' || zone === 'Etc/UTC';

/** Offset of the zone from UTC at instant t, in ms (local = utc + offset). */
export function zoneOffset(t: number, zone: string | undefined): number {
  if (isUtc(zone)) return 0;
  const parts = formatter(zone).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return local - Math.floor(t / 1000) * 1000;
}

export function wallTime(t: number, zone: string | undefined): WallTime {
  const d = new Date(t + zoneOffset(t, zone));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: d.getUTCDay(),
  };
}

/**
 * The instant of a local wall time (fields may overflow and are normalised). A time that a DST
 * gap skips maps to the instant as if the earlier offset still held, i.e. later on the clock.
 */
export function zonedInstant(year: number, month: number, day: number, hour: number, minute: number, zone: string | undefined): number {
  const local = Date.UTC(year, month - 1, day, hour, minute);
  if (isUtc(zone)) return local;
  const first = local - zoneOffset(local, zone);
  const second = local - zoneOffset(first, zone);
  if (second === first) return first;
  // Ambiguous or in a gap: prefer the candidate whose wall time round-trips, else the earlier offset's.
  if (second + zoneOffset(second, zone) === local) return second;
  return Math.max(first, second);
}
