/**
 * @module The generated OpenAPI v3 component schemas (`schemas.generated.json`, written by
 * `npm run gen:openapi`), loaded once, with lookups by GVK and the closure of `$ref`s a
 * document needs. Shared by the `/openapi/v3` documents and server-side field validation.
 */
import { readFileSync } from 'node:fs';
import type { GroupVersionKind } from '../../machinery/resources.ts';

/** The subset of an OpenAPI v3 schema object these schemas use. */
export interface OpenApiSchema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  allOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  required?: string[];
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

export type SchemaMap = Readonly<Record<string, OpenApiSchema>>;

const REF_PREFIX = '#/components/schemas/';

let loaded: SchemaMap | undefined;
let byGvk: Map<string, string> | undefined;

const gvkKey = (g: GroupVersionKind): string => `${g.group}/${g.version}/${g.kind}`;

/** All generated component schemas, keyed by upstream name. Read from disk on first use. */
export function componentSchemas(): SchemaMap {
  if (!loaded) {
    const text = readFileSync(new URL('./schemas.generated.json', import.meta.url), 'utf8');
    loaded = JSON.parse(text) as SchemaMap;
  }
  return loaded;
}

/** The schema name (`io.k8s.api.apps.v1.Deployment`) declaring this GVK, if any. */
export function schemaNameForGvk(gvk: GroupVersionKind): string | undefined {
  if (!byGvk) {
    byGvk = new Map();
    for (const [name, s] of Object.entries(componentSchemas())) {
      for (const g of s['x-kubernetes-group-version-kind'] ?? []) byGvk.set(gvkKey(g), name);
    }
  }
  return byGvk.get(gvkKey(gvk));
}

/** `#/components/schemas/X` → `X`. */
export function refName(ref: string): string {
  return ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref;
}

export function refTo(name: string): string {
  return REF_PREFIX + name;
}

/** The named schemas plus every schema they reach through `$ref`, sorted by name. */
export function schemaClosure(names: Iterable<string>): Record<string, OpenApiSchema> {
  const all = componentSchemas();
  const seen = new Set<string>();
  const queue = [...names];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') queue.push(refName(x));
        else visit(x);
      }
    }
  };
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name) || !all[name]) continue;
    seen.add(name);
    visit(all[name]);
  }
  const out: Record<string, OpenApiSchema> = {};
  for (const name of [...seen].sort()) out[name] = all[name]!;
  return out;
}
