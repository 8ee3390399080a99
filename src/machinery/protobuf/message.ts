/**
 * @module Walks the field tables (./table.ts) to turn one protobuf message into the object
 * the Kubernetes JSON API would carry for it.
 */
import type { FieldSpec, MessageTable } from './table.ts';
import {
  decodeDuration,
  decodeIntOrString,
  decodeMicroTime,
  decodeQuantity,
  decodeRawBytes,
  decodeTime,
  parseJsonBytes,
} from './well-known.ts';
import { Reader, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT, WireError } from './wire.ts';

export type JsonObject = Record<string, unknown>;

export interface DecodeContext {
  readonly table: MessageTable;
  /** Decodes a RawExtension that itself holds a `k8s\0` protobuf envelope. */
  readonly nested: (raw: Uint8Array) => unknown;
}

const MAX_DEPTH = 64;
const utf8 = new TextDecoder('utf-8');
const SCALAR_WIRE: Readonly<Record<string, number>> = {
  int32: WIRE_VARINT,
  int64: WIRE_VARINT,
  bool: WIRE_VARINT,
  double: WIRE_FIXED64,
  float: WIRE_FIXED32,
};

interface MapType {
  key: string;
  value: string;
}
const mapTypes = new Map<string, MapType | null>();
function mapType(type: string): MapType | null {
  let m = mapTypes.get(type);
  if (m === undefined) {
    const match = /^map<(\w+),(.+)>$/.exec(type);
    m = match ? { key: match[1]!, value: match[2]! } : null;
    mapTypes.set(type, m);
  }
  return m;
}

function listItem(type: string): string | null {
  return type.startsWith('list<') ? type.slice(5, -1) : null;
}

function scalar(r: Reader, type: string): unknown {
  switch (type) {
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'bool':
      return r.bool();
    case 'double':
      return r.double();
    case 'float':
      return r.float();
    default:
      throw new WireError(`no scalar reader for ${type}`);
  }
}

/** Decodes one length-delimited value of a non-numeric type. */
function lengthDelimited(bytes: Uint8Array, type: string, ctx: DecodeContext, depth: number): unknown {
  switch (type) {
    case 'string':
      return utf8.decode(bytes);
    case 'bytes':
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    case 'Time':
      return decodeTime(bytes);
    case 'MicroTime':
      return decodeMicroTime(bytes);
    case 'Duration':
      return decodeDuration(bytes);
    case 'Quantity':
      return decodeQuantity(bytes);
    case 'IntOrString':
      return decodeIntOrString(bytes);
    case 'FieldsV1':
      return parseJsonBytes(decodeRawBytes(bytes));
    case 'RawExtension': {
      const raw = decodeRawBytes(bytes);
      const magic = raw.length >= 4 && raw[0] === 0x6b && raw[1] === 0x38 && raw[2] === 0x73 && raw[3] === 0x00;
      return magic ? ctx.nested(raw) : parseJsonBytes(raw);
    }
  }
  const item = listItem(type);
  if (item) {
    const out: unknown[] = [];
    const r = new Reader(bytes);
    while (!r.done) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) out.push(readValue(r, tag & 7, item, ctx, depth));
      else r.skip(tag & 7);
    }
    return out;
  }
  const m = mapType(type);
  if (m) throw new WireError(`map type ${type} used as a value`);
  return decodeMessage(type, bytes, ctx, depth + 1);
}

function readValue(r: Reader, wt: number, type: string, ctx: DecodeContext, depth: number): unknown {
  const want = SCALAR_WIRE[type];
  if (want !== undefined) {
    if (wt !== want) throw new WireError(`wire type ${wt} for a ${type} field`);
    return scalar(r, type);
  }
  if (wt !== WIRE_BYTES) throw new WireError(`wire type ${wt} for a ${type} field`);
  return lengthDelimited(r.bytes(), type, ctx, depth);
}

function zeroOf(type: string, ctx: DecodeContext, depth: number): unknown {
  if (SCALAR_WIRE[type] !== undefined) return type === 'bool' ? false : 0;
  if (type.startsWith('list<')) return [];
  return lengthDelimited(new Uint8Array(), type, ctx, depth);
}

function readMapEntry(bytes: Uint8Array, m: MapType, ctx: DecodeContext, depth: number): [string, unknown] {
  const r = new Reader(bytes);
  let key: unknown;
  let value: unknown;
  while (!r.done) {
    const tag = r.uint32();
    const no = tag >>> 3;
    if (no === 1) key = readValue(r, tag & 7, m.key, ctx, depth);
    else if (no === 2) value = readValue(r, tag & 7, m.value, ctx, depth);
    else r.skip(tag & 7);
  }
  return [String(key ?? ''), value === undefined ? zeroOf(m.value, ctx, depth) : value];
}

/** Go's omitempty notion of "empty" for a value field, as it shows in decoded JSON. */
function isZero(v: unknown, type: string): boolean {
  if (v === '' || v === 0 || v === false || v === null || v === undefined) return true;
  if (type === 'Quantity') return v === '0';
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decodes the message `name` from `bytes`. Unknown field numbers are skipped. */
export function decodeMessage(name: string, bytes: Uint8Array, ctx: DecodeContext, depth = 0): JsonObject {
  if (depth > MAX_DEPTH) throw new WireError('message nesting too deep');
  const spec = ctx.table[name];
  if (!spec) throw new Error(`protobuf table has no message ${name}`);
  const out: JsonObject = {};
  const pending = new Map<string, Uint8Array[]>();
  const r = new Reader(bytes);
  while (!r.done) {
    const tag = r.uint32();
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 0) throw new WireError('field number 0');
    const field: FieldSpec | undefined = spec[no];
    if (!field) {
      r.skip(wt);
      continue;
    }
    const [json, type, flags = ''] = field;
    const m = mapType(type);
    if (m) {
      if (wt !== WIRE_BYTES) throw new WireError(`wire type ${wt} for map field ${json}`);
      const [k, v] = readMapEntry(r.bytes(), m, ctx, depth);
      const obj = isObject(out[json]) ? (out[json] as JsonObject) : (out[json] = {});
      obj[k] = v;
    } else if (flags.includes('r')) {
      const arr = Array.isArray(out[json]) ? (out[json] as unknown[]) : (out[json] = []);
      if (wt === WIRE_BYTES && SCALAR_WIRE[type] !== undefined) {
        const packed = new Reader(r.bytes());
        while (!packed.done) arr.push(scalar(packed, type));
      } else {
        arr.push(readValue(r, wt, type, ctx, depth));
      }
    } else if (wt === WIRE_BYTES && Object.hasOwn(ctx.table, type)) {
      // Proto semantics: a singular message field seen twice is merged, which is the same
      // as decoding its occurrences concatenated. Keep the key's position for readable JSON.
      const chunks = pending.get(json) ?? [];
      if (chunks.length === 0) out[json] = undefined;
      chunks.push(r.bytes());
      pending.set(json, chunks);
    } else {
      out[json] = readValue(r, wt, type, ctx, depth);
    }
  }
  for (const [json, chunks] of pending) {
    const type = (Object.values(spec) as FieldSpec[]).find((f) => f[0] === json)![1];
    const joined = chunks.length === 1 ? chunks[0]! : Uint8Array.from(chunks.flatMap((c) => [...c]));
    out[json] = decodeMessage(type, joined, ctx, depth + 1);
  }
  for (const [json, type, flags = ''] of Object.values(spec) as FieldSpec[]) {
    if (!(json in out)) continue;
    if (flags.includes('o') && isZero(out[json], type)) delete out[json];
    else if (flags.includes('i')) {
      const inner = out[json];
      delete out[json];
      if (isObject(inner)) Object.assign(out, inner);
    }
  }
  return out;
}
