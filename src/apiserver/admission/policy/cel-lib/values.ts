/**
 * @module Equality and ordering of CEL runtime values (cel-js representation: int as bigint,
 * double as number, uint/duration as objects with valueOf, timestamp as Date, bytes as
 * Uint8Array), shared by the list library's indexOf/min/max/isSorted.
 */

/** A CEL value that carries its own equality (Quantity, IP, CIDR, URL). */
export interface SelfEqual {
  celEquals(other: unknown): boolean;
}

const isSelfEqual = (v: unknown): v is SelfEqual => typeof v === 'object' && v !== null && typeof (v as Partial<SelfEqual>).celEquals === 'function';
const isNumeric = (v: unknown): v is bigint | number => typeof v === 'bigint' || typeof v === 'number';

/** CEL `==` with heterogeneous numeric equality (1 == 1.0), deep for lists and maps. */
export function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isNumeric(a) && isNumeric(b)) return Number(a) === Number(b) && (typeof a !== 'bigint' || typeof b !== 'bigint' || a === b);
  if (isSelfEqual(a)) return a.celEquals(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  if (a instanceof Map || b instanceof Map) return false;
  if (a && b && typeof a === 'object' && typeof b === 'object' && a.constructor === Object && b.constructor === Object) {
    const ka = Object.keys(a);
    const rb = b as Record<string, unknown>;
    return ka.length === Object.keys(b).length && ka.every((k) => k in rb && celEquals((a as Record<string, unknown>)[k], rb[k]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && a.constructor === b.constructor) {
    const va = (a as { valueOf(): unknown }).valueOf();
    const vb = (b as { valueOf(): unknown }).valueOf();
    return va !== a && va === vb;
  }
  return false;
}

/** -1, 0 or 1; throws `no such overload` for values CEL cannot order. */
export function celCompare(a: unknown, b: unknown): number {
  const key = (v: unknown): number | bigint | string | boolean | Uint8Array => {
    if (isNumeric(v) || typeof v === 'string' || typeof v === 'boolean' || v instanceof Uint8Array) return v;
    if (v instanceof Date) return v.getTime();
    if (v && typeof v === 'object') {
      const p = (v as { valueOf(): unknown }).valueOf();
      if (isNumeric(p)) return p;
    }
    throw new Error('no such overload');
  };
  const x = key(a);
  const y = key(b);
  if (x instanceof Uint8Array && y instanceof Uint8Array) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return Math.sign(x.length - y.length);
  }
  if (isNumeric(x) && isNumeric(y)) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x !== typeof y) throw new Error('no such overload');
  return x < y ? -1 : x > y ? 1 : 0;
}
