/**
 * @module Field path elements in their fieldsV1 spelling (structured-merge-diff's
 * `fieldpath.PathElement`): `f:<name>` a field, `k:{"name":"x"}` an associative-list item
 * (key fields sorted), `v:<json>` a set item, `i:<n>` an index. Also the element order
 * upstream serialises in, and the human form used in conflict messages
 * (`.spec.template.spec.containers[name="nginx"].image`).
 */

/** One step of a field path, already serialised (`f:replicas`, `k:{"name":"a"}`, …). */
export type PathElement = string;
export type FieldPath = readonly PathElement[];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** JSON as Go's encoding/json writes it: object keys sorted, `<`, `>`, `&` escaped. */
export function goJSON(value: unknown): string {
  const text = JSON.stringify(sortKeys(value)) ?? 'null';
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort(compareStrings)) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

export const fieldElement = (name: string): PathElement => `f:${name}`;
export const keyElement = (key: Readonly<Record<string, unknown>>): PathElement => `k:${goJSON(key)}`;
export const valueElement = (value: unknown): PathElement => `v:${goJSON(value)}`;
export const indexElement = (index: number): PathElement => `i:${index}`;

/** The field name of an `f:` element, or undefined for other kinds. */
export function fieldName(pe: PathElement): string | undefined {
  return pe.startsWith('f:') ? pe.slice(2) : undefined;
}

interface Decoded {
  rank: number; // f < k < v < i, as fieldpath.PathElement.Compare orders them
  name?: string;
  key?: [string, Json][];
  value?: Json;
  index?: number;
}

// Sorting decodes the same elements over and over; remember recent ones.
const decoded = new Map<PathElement, Decoded | undefined>();
const DECODE_CACHE_SIZE = 4096;

function decode(pe: PathElement): Decoded | undefined {
  if (pe.startsWith('f:')) return { rank: 0, name: pe.slice(2) };
  if (decoded.has(pe)) return decoded.get(pe);
  if (decoded.size >= DECODE_CACHE_SIZE) decoded.clear();
  const d = parseElement(pe);
  decoded.set(pe, d);
  return d;
}

function parseElement(pe: PathElement): Decoded | undefined {
  const body = pe.slice(2);
  if (pe[1] !== ':') return undefined;
  try {
    switch (pe[0]) {
      case 'f':
        return { rank: 0, name: body };
      case 'k': {
        const obj: unknown = JSON.parse(body);
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
        const entries = Object.entries(obj as Record<string, Json>).sort(([a], [b]) => compareStrings(a, b));
        return { rank: 1, key: entries };
      }
      case 'v':
        return { rank: 2, value: JSON.parse(body) as Json };
      case 'i': {
        const index = Number(body);
        return Number.isInteger(index) ? { rank: 3, index } : undefined;
      }
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** Re-spells an element canonically (sorted key fields, Go escaping); undefined if invalid. */
export function canonicalElement(pe: PathElement): PathElement | undefined {
  const d = decode(pe);
  if (!d) return undefined;
  if (d.key) return keyElement(Object.fromEntries(d.key));
  if (d.rank === 2) return valueElement(d.value);
  return pe;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function valueRank(v: Json): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v === null) return 5;
  return 4;
}

function compareValues(a: Json, b: Json): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return compareStrings(goJSON(a), goJSON(b));
}

/** Total order of path elements, as upstream sorts them when serialising fieldsV1. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const da = decode(a);
  const db = decode(b);
  if (!da || !db) return compareStrings(a, b);
  if (da.rank !== db.rank) return da.rank - db.rank;
  if (da.name !== undefined && db.name !== undefined) return compareStrings(da.name, db.name);
  if (da.key && db.key) {
    for (let i = 0; ; i++) {
      if (i >= da.key.length || i >= db.key.length) return da.key.length - db.key.length;
      const [na, va] = da.key[i]!;
      const [nb, vb] = db.key[i]!;
      const c = compareStrings(na, nb) || compareValues(va, vb);
      if (c !== 0) return c;
    }
  }
  if (da.rank === 2) return compareValues(da.value ?? null, db.value ?? null);
  return (da.index ?? 0) - (db.index ?? 0);
}

/** value.ToString: strings quoted, lists bracketed. */
function valueString(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}=${valueString(x)}`).join('');
  return String(v);
}

/** `.spec.template.spec.containers[name="nginx"].image`, as fieldpath.Path.String(). */
export function pathString(path: FieldPath): string {
  return path
    .map((pe) => {
      const d = decode(pe);
      if (!d) return '{{invalid path element}}';
      if (d.name !== undefined) return `.${d.name}`;
      if (d.key) return `[${d.key.map(([k, v]) => `${k}=${valueString(v)}`).join(',')}]`;
      if (d.rank === 2) return `[=${valueString(d.value ?? null)}]`;
      return `[${d.index}]`;
    })
    .join('');
}
