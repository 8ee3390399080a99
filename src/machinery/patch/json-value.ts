/**
 * @module Small helpers for decoded JSON values shared by the patch implementations: the
 * kind of a value (as Go's reflect would tell them apart) and a safe own-property write.
 */
export type JsonMap = Record<string, unknown>;

export type ValueKind = 'map' | 'list' | 'string' | 'number' | 'boolean' | 'null';

export function valueKind(v: unknown): ValueKind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  return typeof v === 'boolean' ? 'boolean' : 'string';
}

export const isJsonMap = (v: unknown): v is JsonMap => valueKind(v) === 'map';

/** `obj[key] = value` that also works for a key named `__proto__` (no prototype change). */
export function setField(obj: JsonMap, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
