/**
 * @module Server-side field validation (`fieldValidation=Strict|Warn`): finds the fields of a
 * request object that its kind's schema does not declare, with the paths and messages upstream
 * produces (sigs.k8s.io/json strict decoding: object keys joined by `.`, list items as `[i]`,
 * map keys like field names: `metadata.labels.app`).
 *
 * Free-form parts are never reported: maps (`additionalProperties`), IntOrString/Quantity
 * (scalars), and `x-kubernetes-preserve-unknown-fields` (RawExtension, FieldsV1).
 * Duplicate fields are out of scope here: they are gone once the body is parsed.
 */
import type { GroupVersionKind } from '../../machinery/resources.ts';
import type { OpenApiSchema } from './schemas.ts';
import { componentSchemas, refName, schemaNameForGvk } from './schemas.ts';

/** A schema with `$ref` and `allOf` folded in. */
export interface Flat {
  /** The JSON type a plain scalar must have (absent for IntOrString/Quantity and friends). */
  scalarType?: string;
  /** True when the schema says object (with fields or a map). */
  object: boolean;
  properties: Record<string, OpenApiSchema>;
  additional?: OpenApiSchema | true;
  items?: OpenApiSchema;
  /** Anything goes below here (preserve-unknown-fields, or an object schema with no fields). */
  free: boolean;
  scalar: boolean;
}

const flats = new WeakMap<OpenApiSchema, Flat>();

export function flatten(schema: OpenApiSchema): Flat {
  const cached = flats.get(schema);
  if (cached) return cached;
  const flat: Flat = { properties: {}, free: false, scalar: false, object: false };
  let plainType: string | undefined;
  let mixed = false;
  const fold = (s: OpenApiSchema, depth: number): void => {
    if (depth > 32) return;
    if (s.$ref) {
      const target = componentSchemas()[refName(s.$ref)];
      if (target) fold(target, depth + 1);
      else flat.free = true; // an unresolvable ref must not make valid input fail
    }
    for (const part of s.allOf ?? []) fold(part, depth + 1);
    if (s['x-kubernetes-preserve-unknown-fields']) flat.free = true;
    if (s['x-kubernetes-int-or-string'] || s.oneOf) {
      flat.scalar = true;
      mixed = true;
    }
    if (s.type === 'object') flat.object = true;
    if (s.properties) Object.assign(flat.properties, s.properties);
    if (s.additionalProperties === true) flat.additional = true;
    else if (s.additionalProperties) flat.additional = s.additionalProperties;
    if (s.items) flat.items = s.items;
    if (s.type && s.type !== 'object' && s.type !== 'array') {
      flat.scalar = true;
      plainType = s.type;
    }
  };
  fold(schema, 0);
  if (plainType && !mixed) flat.scalarType = plainType;
  if (!flat.scalar && !flat.items && !flat.additional && !Object.keys(flat.properties).length) flat.free = true;
  flats.set(schema, flat);
  return flat;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function walk(value: unknown, schema: OpenApiSchema, path: string, out: string[]): void {
  const s = flatten(schema);
  if (s.free || s.scalar) return;
  if (Array.isArray(value)) {
    if (s.items) value.forEach((item, i) => walk(item, s.items!, `${path}[${i}]`, out));
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const declared = Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
    if (declared) walk(child, declared, join(path, key), out);
    else if (s.additional === true) continue;
    else if (s.additional) walk(child, s.additional, join(path, key), out);
    else out.push(join(path, key));
  }
}

/**
 * Paths of the fields in `obj` that the schema of `gvk` does not declare, in document order:
 * `spec.foo`, `spec.template.spec.containers[0].imagee`. [] for a GVK without a schema.
 */
export function unknownFields(obj: unknown, gvk: GroupVersionKind): string[] {
  const name = schemaNameForGvk(gvk);
  const schema = name ? componentSchemas()[name] : undefined;
  if (!schema) return [];
  const out: string[] = [];
  walk(obj, schema, '', out);
  return out;
}

function prune(value: unknown, schema: OpenApiSchema, depth: number): void {
  if (depth > 128) return;
  const s = flatten(schema);
  if (s.free || s.scalar) return;
  if (Array.isArray(value)) {
    if (s.items) for (const item of value) prune(item, s.items, depth + 1);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const declared = Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
    if (declared) prune(child, declared, depth + 1);
    else if (s.additional === true) continue;
    else if (s.additional) prune(child, s.additional, depth + 1);
    else delete value[key];
  }
}

/** Removes, in place, every field the schema of `gvk` does not declare (what Go's decoder drops). */
export function pruneUnknownFields(obj: unknown, gvk: GroupVersionKind): void {
  const name = schemaNameForGvk(gvk);
  const schema = name ? componentSchemas()[name] : undefined;
  if (schema) prune(obj, schema, 0);
}

/**
 * One walk that proves the usual request clean: no JSON type mismatch where
 * `type-errors.ts` looks (depth <= 64) and no undeclared field anywhere. Then the type check,
 * {@link unknownFields} and {@link pruneUnknownFields} would all find nothing, and the caller
 * skips them; `false` only means "run them" (it is also the answer for anything unusual).
 */
export function isClean(obj: unknown, gvk: GroupVersionKind): boolean {
  const name = schemaNameForGvk(gvk);
  const schema = name ? componentSchemas()[name] : undefined;
  return !schema || clean(obj, schema, 0);
}

function clean(value: unknown, schema: OpenApiSchema, depth: number): boolean {
  if (value === null || value === undefined) return true;
  const s = flatten(schema);
  if (s.free) return true;
  if (s.scalar) {
    if (depth > 64) return true;
    const t = typeof value;
    if (!s.scalarType) return t !== 'object';
    return s.scalarType === 'integer' ? t === 'number' && Number.isInteger(value) : s.scalarType === 'number' ? t === 'number' : s.scalarType === t;
  }
  if (s.items) {
    if (!Array.isArray(value)) return false;
    for (const item of value) if (!clean(item, s.items, depth + 1)) return false;
    return true;
  }
  if (!isObject(value)) return false;
  const additional = s.additional;
  for (const key of Object.keys(value)) {
    const declared = Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
    if (declared) {
      if (!clean(value[key], declared, depth + 1)) return false;
    } else if (additional === true) continue;
    else if (additional) {
      if (!clean(value[key], additional, depth + 1)) return false;
    } else return false;
  }
  return true;
}

/** Go's strconv.Quote for the characters that can occur in a JSON key. */
function goQuote(s: string): string {
  const body = s.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
    const named: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r' };
    return named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `"${body}"`;
}

/** `unknown field "spec.foo"`: one entry of a strict error, and the text of a Warn-mode warning. */
export function unknownFieldMessage(path: string): string {
  return `unknown field ${goQuote(path)}`;
}

/** `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"` (apimachinery runtime). */
export function strictDecodingError(paths: readonly string[]): string {
  return `strict decoding error: ${paths.map(unknownFieldMessage).join(', ')}`;
}

/**
 * The BadRequest message create and update return for a Strict failure (apiserver
 * handlers `transformDecodeError`): `Deployment in version "v1" cannot be handled as a
 * Deployment: strict decoding error: unknown field "spec.foo"`. Patch returns the bare
 * {@link strictDecodingError} text.
 */
export function cannotBeHandledMessage(gvk: GroupVersionKind, paths: readonly string[]): string {
  return `${gvk.kind} in version ${goQuote(gvk.version)} cannot be handled as a ${gvk.kind}: ${strictDecodingError(paths)}`;
}
