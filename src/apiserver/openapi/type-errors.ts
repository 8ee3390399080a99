/**
 * @module The JSON type check Go's decoder does for free: a string where an object belongs, a
 * number where a string belongs… Returns upstream-shaped messages (`json: cannot unmarshal string
 * into Go struct field ConfigMap.metadata of type object`); the first mismatch is enough. `null`
 * is always accepted, as Go decodes it to the zero value.
 */
import type { GroupVersionKind } from '../../machinery/resources.ts';
import { componentSchemas, schemaNameForGvk, type OpenApiSchema } from './schemas.ts';
import { flatten } from './unknown-fields.ts';

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'number') return 'number';
  return typeof v;
}

function check(value: unknown, schema: OpenApiSchema, path: string, depth: number): string | undefined {
  if (value === null || value === undefined || depth > 64) return undefined;
  const s = flatten(schema);
  const got = jsonType(value);
  if (s.free) return undefined;
  if (s.scalar) {
    if (!s.scalarType) return got === 'object' || got === 'array' ? `${got} into Go struct field ${path} of type string` : undefined;
    const ok =
      s.scalarType === 'integer' ? got === 'number' && Number.isInteger(value) :
      s.scalarType === 'number' ? got === 'number' :
      s.scalarType === got;
    return ok ? undefined : `${got === 'number' && s.scalarType === 'integer' ? 'number ' + String(value) : got} into Go struct field ${path} of type ${s.scalarType === 'integer' ? 'int' : s.scalarType === 'boolean' ? 'bool' : s.scalarType}`;
  }
  if (s.items) {
    if (got !== 'array') return `${got} into Go struct field ${path} of type array`;
    for (let i = 0; i < (value as unknown[]).length; i++) {
      const e = check((value as unknown[])[i], s.items, path, depth + 1);
      if (e) return e;
    }
    return undefined;
  }
  if (got !== 'object') return `${got} into Go struct field ${path} of type object`;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const declared = Object.hasOwn(s.properties, key) ? s.properties[key] : s.additional && s.additional !== true ? s.additional : undefined;
    if (!declared) continue;
    const e = check(child, declared, `${path}.${key}`, depth + 1);
    if (e) return e;
  }
  return undefined;
}

/** The first JSON type mismatch in `obj` against the schema of `gvk`, as Go words it, or undefined. */
export function typeError(obj: unknown, gvk: GroupVersionKind): string | undefined {
  const name = schemaNameForGvk(gvk);
  const schema = name ? componentSchemas()[name] : undefined;
  if (!schema) return undefined;
  const e = check(obj, schema, gvk.kind, 0);
  return e ? `json: cannot unmarshal ${e}` : undefined;
}
