/**
 * @module How a value meets its schema: whether it is walked into or owned whole, and the
 * path element that identifies each item of an associative list (`k:{…}` by its
 * `listMapKey`s, `v:…` for a set). Shared by the field-set builder and the typed merge,
 * compare and prune walkers.
 */
import { isPlainObject } from '../../api/object.ts';
import { keyElement, pathString, valueElement, type FieldPath, type PathElement } from './path.ts';
import { deduce, isAtomic, type ListSchema, type MapSchema, type Schema, type StructSchema } from './schema.ts';

/** How a walker treats a value: a leaf (owned whole), an object, or an associative list. */
export type Shape =
  | { kind: 'leaf' }
  | { kind: 'object'; schema: StructSchema | MapSchema }
  | { kind: 'list'; schema: ListSchema };

/** The shape of `value` under `schema`; a value that does not fit its schema is a leaf. */
export function shapeOf(schema: Schema | undefined, value: unknown): Shape {
  const s = schema ?? deduce(value);
  if (value === null || value === undefined || isAtomic(s)) return { kind: 'leaf' };
  if ((s.kind === 'struct' || s.kind === 'map') && isPlainObject(value)) return { kind: 'object', schema: s };
  if (s.kind === 'list' && Array.isArray(value)) return { kind: 'list', schema: s };
  return { kind: 'leaf' };
}

/** The schema of an object's field (undefined: deduce from the value). */
export function childSchema(s: StructSchema | MapSchema, name: string): Schema | undefined {
  return s.kind === 'struct' ? s.fields[name] : s.values;
}

/** The schema of an associative list's items. */
export function itemSchema(s: ListSchema): Schema | undefined {
  return s.items;
}

/** Path elements of each item, or a message (upstream wording) saying why there are none. */
export function itemElements(list: readonly unknown[], s: ListSchema): PathElement[] | string {
  const out: PathElement[] = [];
  const seen = new Set<PathElement>();
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    let pe: PathElement;
    if (s.listType === 'set') {
      if (typeof item === 'object' && item !== null) return `element ${i}: set items must be scalars`;
      pe = valueElement(item ?? null);
    } else {
      if (!isPlainObject(item)) return `element ${i}: associative list with keys has an element that is not a map`;
      const key: Record<string, unknown> = {};
      for (const k of s.keys ?? []) {
        const v = item[k] ?? s.keyDefaults?.[k];
        if (v === undefined || v === null) {
          return `element ${i}: associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`;
        }
        key[k] = v;
      }
      pe = keyElement(key);
    }
    if (seen.has(pe)) {
      const shown = pathString([pe]);
      return s.listType === 'set' ? `duplicate entries for value ${shown}` : `duplicate entries for key ${shown}`;
    }
    seen.add(pe);
    out.push(pe);
  }
  return out;
}

/** Items of a list by path element; undefined when the list cannot be indexed. */
export function indexItems(list: readonly unknown[], s: ListSchema): Map<PathElement, unknown> | undefined {
  const pes = itemElements(list, s);
  if (typeof pes === 'string') return undefined;
  return new Map(pes.map((pe, i) => [pe, list[i]]));
}

export function isEmptyObject(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).length === 0;
}

/** Structural equality of JSON values (object key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

export const extend = (path: FieldPath, pe: PathElement): FieldPath => [...path, pe];
