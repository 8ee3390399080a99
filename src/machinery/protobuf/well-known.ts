/**
 * @module Hand-written decoders for the apimachinery types whose JSON form is not their
 * protobuf structure: metav1.Time/MicroTime/Duration/FieldsV1, resource.Quantity,
 * intstr.IntOrString. Each takes the embedded message's bytes.
 */
import { Reader, WIRE_BYTES, WIRE_VARINT, WireError } from './wire.ts';

/** Reads a message made of the given scalar fields; unknown fields are skipped. */
function fields(bytes: Uint8Array, want: Readonly<Record<number, 'int' | 'string' | 'bytes'>>): Map<number, unknown> {
  const r = new Reader(bytes);
  const out = new Map<number, unknown>();
  while (!r.done) {
    const tag = r.uint32();
    const no = tag >>> 3;
    const wt = tag & 7;
    const kind = want[no];
    if (!kind) {
      r.skip(wt);
      continue;
    }
    if (kind === 'int') {
      if (wt !== WIRE_VARINT) throw new WireError(`field ${no}: wire type ${wt}, want varint`);
      out.set(no, r.int64());
    } else {
      if (wt !== WIRE_BYTES) throw new WireError(`field ${no}: wire type ${wt}, want bytes`);
      out.set(no, kind === 'string' ? r.string() : r.bytes());
    }
  }
  return out;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

function isoSeconds(seconds: number): string {
  const ms = seconds * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new WireError(`time out of range: ${seconds}s`);
  const iso = new Date(ms).toISOString();
  return iso.slice(0, iso.indexOf('.'));
}

/** metav1.Time {1 seconds, 2 nanos} → RFC3339 in UTC (second precision), null when zero. */
export function decodeTime(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return null;
  const f = fields(bytes, { 1: 'int', 2: 'int' });
  return `${isoSeconds(num(f.get(1)))}Z`;
}

/** metav1.MicroTime → RFC3339 with exactly six fractional digits, null when zero. */
export function decodeMicroTime(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return null;
  const f = fields(bytes, { 1: 'int', 2: 'int' });
  const nanos = num(f.get(2));
  if (nanos < 0 || nanos > 999_999_999) throw new WireError(`nanos out of range: ${nanos}`);
  const micros = String(Math.floor(nanos / 1000)).padStart(6, '0');
  return `${isoSeconds(num(f.get(1)))}.${micros}Z`;
}

/** Go's time.Duration.String() for a nanosecond count. */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  const sign = neg ? '-' : '';
  const frac = (v: bigint, digits: number): string => {
    const s = v.toString().padStart(digits, '0').replace(/0+$/, '');
    return s ? `.${s}` : '';
  };
  if (u < 1_000_000_000n) {
    if (u < 1000n) return `${sign}${u}ns`;
    if (u < 1_000_000n) return `${sign}${u / 1000n}${frac(u % 1000n, 3)}µs`;
    return `${sign}${u / 1_000_000n}${frac(u % 1_000_000n, 6)}ms`;
  }
  const secFrac = frac(u % 1_000_000_000n, 9);
  u /= 1_000_000_000n;
  const s = u % 60n;
  u /= 60n;
  if (u === 0n) return `${sign}${s}${secFrac}s`;
  const m = u % 60n;
  const h = u / 60n;
  return h === 0n ? `${sign}${m}m${s}${secFrac}s` : `${sign}${h}h${m}m${s}${secFrac}s`;
}

/** metav1.Duration {1 int64 nanoseconds} → Go duration string. */
export function decodeDuration(bytes: Uint8Array): string {
  const r = new Reader(bytes);
  let ns = 0n;
  while (!r.done) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_VARINT)) ns = BigInt.asIntN(64, r.varint());
    else r.skip(tag & 7);
  }
  return formatGoDuration(ns);
}

/** resource.Quantity {1 string}; the zero Quantity serialises as "0" in JSON. */
export function decodeQuantity(bytes: Uint8Array): string {
  const s = fields(bytes, { 1: 'string' }).get(1);
  return typeof s === 'string' && s !== '' ? s : '0';
}

/** intstr.IntOrString {1 type (0 int, 1 string), 2 intVal, 3 strVal}. */
export function decodeIntOrString(bytes: Uint8Array): number | string {
  const f = fields(bytes, { 1: 'int', 2: 'int', 3: 'string' });
  if (num(f.get(1)) === 1) return typeof f.get(3) === 'string' ? (f.get(3) as string) : '';
  return Number(BigInt.asIntN(32, BigInt(num(f.get(2)))));
}

/** The `raw` bytes (field 1) of runtime.RawExtension and metav1.FieldsV1. */
export function decodeRawBytes(bytes: Uint8Array): Uint8Array {
  const raw = fields(bytes, { 1: 'bytes' }).get(1);
  return raw instanceof Uint8Array ? raw : new Uint8Array();
}

const utf8 = new TextDecoder('utf-8');

/** JSON text carried as bytes (FieldsV1, RawExtension); null when empty. */
export function parseJsonBytes(raw: Uint8Array): unknown {
  if (raw.length === 0) return null;
  try {
    return JSON.parse(utf8.decode(raw)) as unknown;
  } catch {
    throw new WireError('embedded raw bytes are not JSON');
  }
}
