/**
 * @module The Swagger 2.0 document served at `/openapi/v2` (JSON here; protobuf in
 * `v2-proto.ts`), built from the same generated schemas as the v3 documents.
 *
 * What kubectl 1.32 reads from it (always fetched as protobuf, see wire-contract §2.1):
 * - `explain --output plaintext-openapiv2`: the definition whose `x-kubernetes-group-version-kind`
 *   array holds the GVK, and every `$ref` it reaches (kube-openapi's `proto.NewOpenAPIData` fails
 *   the whole document on one dangling ref);
 * - client-side `apply`/`diff`: the PATCH op with the GVK (`GetConsumes`); when it consumes
 *   strategic-merge-patch, the three-way patch is computed from these definitions'
 *   `x-kubernetes-patch-merge-key`/`-strategy`. Those come from the same struct-tag table the
 *   server's strategic merge uses (`machinery/patch/patch-meta.ts`), so client and server agree.
 *
 * v3 → v2 schema differences, as upstream's swagger.json has them: `allOf:[{$ref}]` becomes a
 * bare `$ref` beside the description; IntOrString is `type: string, format: int-or-string`;
 * Quantity is `type: string`; arbitrary JSON (RawExtension, FieldsV1) is `type: object`.
 */
import { createHash } from 'node:crypto';
import type { GroupVersionKind, ResourceInfo, SubresourceInfo } from '../../machinery/resources.ts';
import { patchMetaFor, type PatchMeta } from '../../machinery/patch/patch-meta.ts';
import { componentSchemas, refName, schemaClosure, schemaNameForGvk, type OpenApiSchema } from './schemas.ts';

export type Json = Record<string, unknown>;

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, Json>;
  definitions: Record<string, Json>;
  securityDefinitions: Record<string, Json>;
  security: Array<Record<string, string[]>>;
}

export interface RenderedV2 {
  doc: SwaggerDocument;
  json: string;
  /** Upper-case hex SHA-512 of `json`, as kube-openapi's handler computes it (quoted in `ETag`). */
  etag: string;
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const DEF = '#/definitions/';
const ref = (name: string): Json => ({ $ref: DEF + name });
const PRODUCES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const WATCH_PRODUCES = [...PRODUCES, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const PATCH_CONSUMES = [
  'application/json-patch+json', 'application/merge-patch+json',
  'application/strategic-merge-patch+json', 'application/apply-patch+yaml',
];

// ---- definitions ----------------------------------------------------------------------

function toV2(s: OpenApiSchema): Json {
  const only = s.allOf?.length === 1 ? s.allOf[0] : undefined;
  const target = s.$ref ?? only?.$ref;
  if (target) return { ...(s.description ? { description: s.description } : {}), $ref: DEF + refName(target) };
  const out: Json = {};
  if (s.description) out.description = s.description;
  if (s.oneOf) {
    out.type = 'string';
    if (s['x-kubernetes-int-or-string']) out.format = 'int-or-string';
  } else if (s.type) out.type = s.type;
  else if (s['x-kubernetes-preserve-unknown-fields']) out.type = 'object';
  if (s.format && !s.oneOf) out.format = s.format;
  if (s.items) out.items = toV2(s.items);
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toV2(v)]));
  if (s.additionalProperties !== undefined) {
    out.additionalProperties = typeof s.additionalProperties === 'boolean' ? s.additionalProperties : toV2(s.additionalProperties);
  }
  if (s.required?.length) out.required = [...s.required];
  const gvks = s['x-kubernetes-group-version-kind'];
  if (gvks) out['x-kubernetes-group-version-kind'] = gvks.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
  return out;
}

/** The `x-kubernetes-patch-strategy` value for a field's meta, if it is tagged at all. */
function strategyOf(m: PatchMeta): string | undefined {
  if (m.kind === 'list') return m.strategy === 'merge' ? (m.retainKeys ? 'merge,retainKeys' : 'merge') : undefined;
  if (m.kind === 'map') return m.retainKeys ? 'retainKeys' : m.strategy === 'replace' ? 'replace' : undefined;
  return undefined;
}

const refTarget = (s: unknown): string | undefined => {
  const r = (s as Json | undefined)?.$ref;
  return typeof r === 'string' && r.startsWith(DEF) ? r.slice(DEF.length) : undefined;
};

/**
 * Writes the struct tags of one kind onto the definitions its tagged paths pass through. Shared
 * definitions (PodSpec, …) get the same tags from every root, as Go struct tags are per type.
 */
function annotate(defs: Record<string, Json>, name: string, meta: PatchMeta, depth = 0): void {
  const props = defs[name]?.properties as Record<string, Json> | undefined;
  if (!props || depth > 16) return;
  for (const [field, prop] of Object.entries(props)) {
    const m = meta.field(field);
    if (m.kind !== 'map' && m.kind !== 'list') continue;
    const strategy = strategyOf(m);
    if (strategy) prop['x-kubernetes-patch-strategy'] = strategy;
    if (m.kind === 'list' && m.mergeKey) prop['x-kubernetes-patch-merge-key'] = m.mergeKey;
    const next = m.kind === 'list' ? refTarget(prop.items) : refTarget(prop);
    const sub = m.kind === 'list' ? m.items() : m;
    if (next && sub.kind === 'map') annotate(defs, next, sub, depth + 1);
  }
}

function definitions(names: Iterable<string>): Record<string, Json> {
  const defs: Record<string, Json> = {};
  for (const [name, s] of Object.entries(schemaClosure(names))) defs[name] = toV2(s);
  for (const [name, s] of Object.entries(componentSchemas())) {
    if (!defs[name]) continue;
    for (const g of s['x-kubernetes-group-version-kind'] ?? []) annotate(defs, name, patchMetaFor(g));
  }
  return defs;
}

// ---- paths ----------------------------------------------------------------------------

const query = (name: string, type: string, description: string): Json => ({ uniqueItems: true, type, description, name, in: 'query' });
const pathParam = (name: string, description: string): Json => ({ uniqueItems: true, type: 'string', description, name, in: 'path', required: true });
const body = (schema: string, required = true): Json => ({ name: 'body', in: 'body', ...(required ? { required: true } : {}), schema: ref(schema) });

const P = {
  pretty: query('pretty', 'string', "If 'true', then the output is pretty printed."),
  dryRun: query('dryRun', 'string', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: query('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: query('fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.'),
  force: query('force', 'boolean', 'Force is going to "force" Apply requests. Force flag must be unset for non-apply patch requests.'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted.'),
  propagationPolicy: query('propagationPolicy', 'string', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  allowWatchBookmarks: query('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK".'),
  continue: query('continue', 'string', 'The continue option should be set when retrieving more results from the server.'),
  fieldSelector: query('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields.'),
  labelSelector: query('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels.'),
  limit: query('limit', 'integer', 'limit is a maximum number of responses to return for a list call.'),
  resourceVersion: query('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  resourceVersionMatch: query('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  sendInitialEvents: query('sendInitialEvents', 'boolean', 'sendInitialEvents=true may be set together with watch=true.'),
  timeoutSeconds: query('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  watch: query('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'),
};
const LIST_PARAMS = [
  P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion,
  P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch,
];

const responses = (schema: string, codes: Record<string, string>): Json => ({
  ...Object.fromEntries(Object.entries(codes).map(([code, description]) => [code, { description, schema: ref(schema) }])),
  401: { description: 'Unauthorized' },
});

/** `rbac.authorization.k8s.io` → `RbacAuthorization`, as in upstream operation ids. */
function groupWord(group: string): string {
  if (!group) return 'Core';
  return group.replace(/\.k8s\.io$/, '').split('.').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
const upper = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

interface Ctx {
  gvk: GroupVersionKind;
  idBase: string;
  tag: string;
  schemas: Set<string>;
}

function op(c: Ctx, gvk: GroupVersionKind, o: { description: string; id: string; action: string; params?: Json[]; consumes?: string[]; produces?: string[]; responses: Json }): Json {
  return {
    description: o.description,
    consumes: o.consumes ?? ['*/*'],
    produces: o.produces ?? PRODUCES,
    schemes: ['https'],
    tags: [c.tag],
    operationId: o.id,
    ...(o.params?.length ? { parameters: o.params } : {}),
    responses: o.responses,
    'x-kubernetes-action': o.action,
    'x-kubernetes-group-version-kind': { group: gvk.group, kind: gvk.kind, version: gvk.version },
  };
}

/** get/put/patch (and delete on the object itself) of `…/{name}` or `…/{name}/<sub>`. */
function itemOps(c: Ctx, verbs: readonly string[], schema: string, gvk: GroupVersionKind, sub: string): Json {
  const what = sub ? `${sub} of the specified ${c.gvk.kind}` : `the specified ${gvk.kind}`;
  const suffix = upper(sub);
  const ops: Json = {};
  if (verbs.includes('get')) ops.get = op(c, gvk, { description: `read ${what}`, id: `read${c.idBase}${suffix}`, action: 'get', responses: responses(schema, { 200: 'OK' }) });
  if (verbs.includes('update')) {
    ops.put = op(c, gvk, {
      description: `replace ${what}`, id: `replace${c.idBase}${suffix}`, action: 'put',
      params: [body(schema), P.dryRun, P.fieldManager, P.fieldValidation], responses: responses(schema, { 200: 'OK', 201: 'Created' }),
    });
  }
  if (verbs.includes('patch')) {
    ops.patch = op(c, gvk, {
      description: `partially update ${what}`, id: `patch${c.idBase}${suffix}`, action: 'patch', consumes: PATCH_CONSUMES,
      params: [body(`${META}.Patch`), P.dryRun, P.fieldManager, P.fieldValidation, P.force], responses: responses(schema, { 200: 'OK', 201: 'Created' }),
    });
  }
  if (verbs.includes('create') && sub) {
    ops.post = op(c, gvk, {
      description: `create ${what}`, id: `create${c.idBase}${suffix}`, action: 'post',
      params: [body(schema), P.dryRun, P.fieldManager, P.fieldValidation], responses: responses(schema, { 200: 'OK', 201: 'Created', 202: 'Accepted' }),
    });
  }
  if (verbs.includes('delete') && !sub) {
    ops.delete = op(c, gvk, {
      description: `delete ${what}`, id: `delete${c.idBase}`, action: 'delete',
      params: [body(`${META}.DeleteOptions`, false), P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
      responses: responses(`${META}.Status`, { 200: 'OK', 202: 'Accepted' }),
    });
  }
  return ops;
}

function resourcePaths(r: ResourceInfo, schemas: Set<string>): Record<string, Json> {
  const gvk: GroupVersionKind = { group: r.group, version: r.version, kind: r.kind };
  const kind = schemaNameForGvk(gvk);
  if (!kind) return {};
  schemas.add(kind);
  const list = schemaNameForGvk({ ...gvk, kind: `${r.kind}List` });
  if (list) schemas.add(list);
  const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const scope = r.namespaced ? '/namespaces/{namespace}' : '';
  const idBase = `${groupWord(r.group)}${upper(r.version)}${r.namespaced ? 'Namespaced' : ''}${r.kind}`;
  const c: Ctx = { gvk, idBase, tag: `${groupWord(r.group).replace(/^./, (ch) => ch.toLowerCase())}_${r.version}`, schemas };
  const ns = r.namespaced ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')] : [];
  const name = (k: string): Json => pathParam('name', `name of the ${k}`);
  const verbs = r.verbs as string[];
  const paths: Record<string, Json> = {};
  const put = (path: string, params: Json[], ops: Json): void => {
    if (Object.keys(ops).length) paths[path] = { ...ops, parameters: [...params, P.pretty] };
  };

  const coll: Json = {};
  if (verbs.includes('list') && list) {
    coll.get = op(c, gvk, { description: `list or watch objects of kind ${r.kind}`, id: `list${idBase}`, action: 'list', produces: WATCH_PRODUCES, params: LIST_PARAMS, responses: responses(list, { 200: 'OK' }) });
  }
  if (verbs.includes('create')) {
    coll.post = op(c, gvk, {
      description: `create a ${r.kind}`, id: `create${idBase}`, action: 'post',
      params: [body(kind), P.dryRun, P.fieldManager, P.fieldValidation], responses: responses(kind, { 200: 'OK', 201: 'Created', 202: 'Accepted' }),
    });
  }
  if (verbs.includes('deletecollection')) {
    coll.delete = op(c, gvk, {
      description: `delete collection of ${r.kind}`, id: `deleteCollection${idBase}`, action: 'deletecollection',
      params: [body(`${META}.DeleteOptions`, false), ...LIST_PARAMS.filter((p) => p !== P.watch), P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
      responses: responses(`${META}.Status`, { 200: 'OK' }),
    });
  }
  put(`${prefix}${scope}/${r.resource}`, ns, coll);
  put(`${prefix}${scope}/${r.resource}/{name}`, [name(r.kind), ...ns], itemOps(c, verbs, kind, gvk, ''));
  if (r.namespaced && verbs.includes('list') && list) {
    const all = op(c, gvk, { description: `list or watch objects of kind ${r.kind}`, id: `list${idBase.replace('Namespaced', '')}ForAllNamespaces`, action: 'list', produces: WATCH_PRODUCES, params: LIST_PARAMS, responses: responses(list, { 200: 'OK' }) });
    put(`${prefix}/${r.resource}`, [], { get: all });
  }
  if (verbs.includes('watch')) {
    // The deprecated `/watch/` paths upstream still documents; kubectl ignores them.
    const watch = (id: string, action: string): Json => ({
      get: op(c, gvk, { description: `watch ${action === 'watch' ? 'changes to an object' : 'individual changes to a list'} of kind ${r.kind}`, id, action, produces: WATCH_PRODUCES, params: LIST_PARAMS, responses: responses(`${META}.WatchEvent`, { 200: 'OK' }) }),
    });
    schemas.add(`${META}.WatchEvent`);
    put(`${prefix}/watch${scope}/${r.resource}`, ns, watch(`watch${idBase}List`, 'watchlist'));
    put(`${prefix}/watch${scope}/${r.resource}/{name}`, [name(r.kind), ...ns], watch(`watch${idBase}`, 'watch'));
    if (r.namespaced) put(`${prefix}/watch/${r.resource}`, [], watch(`watch${idBase.replace('Namespaced', '')}ListForAllNamespaces`, 'watchlist'));
  }
  for (const sub of r.subresources ?? []) subresource(c, sub, `${prefix}${scope}/${r.resource}/{name}/${sub.name}`, [name(sub.kind?.kind ?? r.kind), ...ns], put);
  return paths;
}

/** Subresources that stream bytes (or upgrade the connection) rather than speak JSON objects. */
const streaming = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

function subresource(c: Ctx, sub: SubresourceInfo, path: string, params: Json[], put: (p: string, params: Json[], ops: Json) => void): void {
  if (streaming.has(sub.name)) return;
  const gvk = sub.kind ?? c.gvk;
  const schema = schemaNameForGvk(gvk);
  if (!schema) return; // pods/log, pods/exec, …: not JSON objects
  c.schemas.add(schema);
  put(path, params, itemOps(c, sub.verbs, schema, gvk, sub.name));
}

// ---- the document ---------------------------------------------------------------------

function render(resources: readonly ResourceInfo[]): RenderedV2 {
  const schemas = new Set([`${META}.Status`, `${META}.DeleteOptions`, `${META}.Patch`]);
  const paths: Record<string, Json> = {};
  for (const r of resources) Object.assign(paths, resourcePaths(r, schemas));
  const doc: SwaggerDocument = {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    definitions: definitions(schemas),
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
  const json = JSON.stringify(doc);
  return { doc, json, etag: createHash('sha512').update(json).digest('hex').toUpperCase() };
}

const cache = new WeakMap<readonly ResourceInfo[], RenderedV2>();

/** The `/openapi/v2` document for a resource table, its JSON text and ETag; built once per table. */
export function openApiV2Document(resources: readonly ResourceInfo[]): Readonly<RenderedV2> {
  let r = cache.get(resources);
  if (!r) cache.set(resources, (r = render(resources)));
  return r;
}
