/**
 * @module OpenAPI v3 documents served at `/openapi/v3` (the index) and
 * `/openapi/v3/api/v1`, `/openapi/v3/apis/<group>/<version>` (one document per group version).
 *
 * What kubectl reads (cli-runtime query_param_verifier_v3.go, kubectl explain v2 templates):
 * - the index's `paths[<gv>].serverRelativeURL`; its `hash` query is the HTTP-cache key;
 * - for `--validate=strict`: a path whose PATCH op has `x-kubernetes-group-version-kind` equal to
 *   the object's GVK and a `fieldValidation` parameter. kubectl stops at the *first* such PATCH
 *   op it meets (map order), so every PATCH op here declares `fieldValidation`;
 * - for `explain`: the GVK on a get/post/put/patch/delete op of the resource's path, then the
 *   component schema whose `x-kubernetes-group-version-kind` array contains it.
 *
 * The PATCH request body lists json-patch, merge-patch and apply-patch only: advertising
 * strategic-merge-patch would make `kubectl apply` compute SMP from these schemas, which carry
 * no merge keys; without it kubectl uses its compiled-in types (wire-contract §2.3).
 */
import { createHash } from 'node:crypto';
import type { GroupVersionKind, ResourceInfo, SubresourceInfo } from '../../machinery/resources.ts';
import { refTo, schemaClosure, schemaNameForGvk } from './schemas.ts';

type Json = Record<string, unknown>;

interface Rendered {
  doc: Json;
  json: string;
  hash: string;
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
const RESPONSE_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

const query = (name: string, type: string, description: string): Json => ({
  name,
  in: 'query',
  description,
  schema: { type, uniqueItems: true },
});
const pathParam = (name: string, description: string): Json => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', uniqueItems: true },
});

const P = {
  pretty: query('pretty', 'string', "If 'true', then the output is pretty printed."),
  dryRun: query(
    'dryRun',
    'string',
    'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed',
  ),
  fieldManager: query(
    'fieldManager',
    'string',
    'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.',
  ),
  fieldValidation: query(
    'fieldValidation',
    'string',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.',
  ),
  force: query(
    'force',
    'boolean',
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.',
  ),
  gracePeriodSeconds: query('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted.'),
  propagationPolicy: query('propagationPolicy', 'string', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  labelSelector: query('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels.'),
  fieldSelector: query('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields.'),
  limit: query('limit', 'integer', 'limit is a maximum number of responses to return for a list call.'),
  continue: query('continue', 'string', 'The continue option should be set when retrieving more results from the server.'),
  resourceVersion: query('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  resourceVersionMatch: query('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  timeoutSeconds: query('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  watch: query('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'),
  allowWatchBookmarks: query('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK".'),
  sendInitialEvents: query('sendInitialEvents', 'boolean', 'sendInitialEvents=true may be set together with watch=true.'),
};
const LIST_PARAMS = [
  P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion,
  P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch,
];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];

const content = (types: readonly string[], schemaName: string): Json =>
  Object.fromEntries(types.map((t) => [t, { schema: { $ref: refTo(schemaName) } }]));
const responses = (schemaName: string, codes: Record<string, string>): Json =>
  Object.fromEntries(Object.entries(codes).map(([code, description]) => [code, { description, content: content(RESPONSE_TYPES, schemaName) }]));

/** `rbac.authorization.k8s.io` → `RbacAuthorization`, as in upstream operation ids. */
function groupWord(group: string): string {
  if (!group) return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split('.')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

interface OpSpec {
  verb: string;
  action: string;
  kindName: string;
  gvk: GroupVersionKind;
  parameters?: Json[];
  requestBody?: Json;
  responses: Json;
}

function operation(op: OpSpec): Json {
  const out: Json = {
    description: `${op.verb} ${op.gvk.kind}`,
    operationId: op.kindName,
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': { group: op.gvk.group, version: op.gvk.version, kind: op.gvk.kind },
  };
  if (op.parameters?.length) out.parameters = op.parameters;
  if (op.requestBody) out.requestBody = op.requestBody;
  out.responses = op.responses;
  return out;
}

/** Builds the paths of one resource (collection, item, all-namespaces list, subresources). */
function resourcePaths(r: ResourceInfo, schemas: Set<string>): Record<string, Json> {
  const gvk: GroupVersionKind = { group: r.group, version: r.version, kind: r.kind };
  const kindSchema = schemaNameForGvk(gvk);
  if (!kindSchema) return {};
  schemas.add(kindSchema);
  const listSchema = schemaNameForGvk({ ...gvk, kind: `${r.kind}List` });
  if (listSchema) schemas.add(listSchema);
  const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const scope = r.namespaced ? `/namespaces/{namespace}` : '';
  const idBase = `${groupWord(r.group)}${r.version.charAt(0).toUpperCase()}${r.version.slice(1)}${r.namespaced ? 'Namespaced' : ''}${r.kind}`;
  const ns = r.namespaced ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')] : [];
  const can = (v: string): boolean => (r.verbs as string[]).includes(v);
  const paths: Record<string, Json> = {};

  const collection: Json = { parameters: [...ns, P.pretty] };
  if (can('list') && listSchema) {
    collection.get = operation({ verb: 'list', action: 'list', kindName: `list${idBase}`, gvk, parameters: LIST_PARAMS, responses: responses(listSchema, { 200: 'OK' }) });
  }
  if (can('create')) {
    collection.post = operation({
      verb: 'create', action: 'post', kindName: `create${idBase}`, gvk, parameters: WRITE_PARAMS,
      requestBody: { content: content(['application/json'], kindSchema), required: true },
      responses: responses(kindSchema, { 200: 'OK', 201: 'Created', 202: 'Accepted' }),
    });
  }
  if (can('deletecollection')) {
    collection.delete = operation({
      verb: 'delete collection of', action: 'deletecollection', kindName: `deleteCollection${idBase}`, gvk,
      parameters: [...LIST_PARAMS.filter((p) => p !== P.watch), P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
      responses: responses(`${META}.Status`, { 200: 'OK' }),
    });
  }
  if (Object.keys(collection).length > 1) paths[`${prefix}${scope}/${r.resource}`] = collection;

  const item = itemPath(r.verbs as string[], kindSchema, gvk, idBase, '');
  if (item) paths[`${prefix}${scope}/${r.resource}/{name}`] = { parameters: [pathParam('name', `name of the ${r.kind}`), ...ns, P.pretty], ...item };

  if (r.namespaced && can('list') && listSchema) {
    paths[`${prefix}/${r.resource}`] = {
      parameters: [P.pretty],
      get: operation({ verb: 'list', action: 'list', kindName: `list${idBase.replace('Namespaced', '')}ForAllNamespaces`, gvk, parameters: LIST_PARAMS, responses: responses(listSchema, { 200: 'OK' }) }),
    };
  }
  for (const sub of r.subresources ?? []) {
    const subPath = subresourcePath(sub, gvk, idBase, schemas);
    if (subPath) paths[`${prefix}${scope}/${r.resource}/{name}/${sub.name}`] = { parameters: [pathParam('name', `name of the ${sub.kind?.kind ?? r.kind}`), ...ns, P.pretty], ...subPath };
  }
  return paths;
}

/** get/put/patch/delete on `…/{name}` or `…/{name}/<sub>`. */
function itemPath(verbs: readonly string[], schema: string, gvk: GroupVersionKind, idBase: string, suffix: string): Json | undefined {
  const ops: Json = {};
  if (verbs.includes('get')) ops.get = operation({ verb: 'read', action: 'get', kindName: `read${idBase}${suffix}`, gvk, responses: responses(schema, { 200: 'OK' }) });
  if (verbs.includes('update')) {
    ops.put = operation({
      verb: 'replace', action: 'put', kindName: `replace${idBase}${suffix}`, gvk, parameters: WRITE_PARAMS,
      requestBody: { content: content(['application/json'], schema), required: true },
      responses: responses(schema, { 200: 'OK', 201: 'Created' }),
    });
  }
  if (verbs.includes('patch')) {
    ops.patch = operation({
      verb: 'partially update', action: 'patch', kindName: `patch${idBase}${suffix}`, gvk,
      parameters: [P.dryRun, P.fieldManager, P.fieldValidation, P.force],
      requestBody: { content: content(PATCH_TYPES, `${META}.Patch`), required: true },
      responses: responses(schema, { 200: 'OK', 201: 'Created' }),
    });
  }
  if (verbs.includes('delete') && !suffix) {
    ops.delete = operation({
      verb: 'delete', action: 'delete', kindName: `delete${idBase}`, gvk,
      parameters: [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
      requestBody: { content: content(['application/json'], `${META}.DeleteOptions`) },
      responses: responses(`${META}.Status`, { 200: 'OK', 202: 'Accepted' }),
    });
  }
  return Object.keys(ops).length ? ops : undefined;
}

/** Subresources that stream bytes (or upgrade the connection) rather than speak JSON objects. */
const streaming = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

function subresourcePath(sub: SubresourceInfo, parent: GroupVersionKind, idBase: string, schemas: Set<string>): Json | undefined {
  if (streaming.has(sub.name)) return undefined;
  const gvk = sub.kind ?? parent;
  const schema = schemaNameForGvk(gvk);
  if (!schema) return undefined; // e.g. pods/log, pods/exec: not JSON objects
  schemas.add(schema);
  const suffix = sub.name.charAt(0).toUpperCase() + sub.name.slice(1);
  const ops = itemPath(sub.verbs, schema, gvk, idBase, suffix) ?? {};
  if (sub.verbs.includes('create')) {
    ops.post = operation({
      verb: 'create', action: 'post', kindName: `create${idBase}${suffix}`, gvk, parameters: WRITE_PARAMS,
      requestBody: { content: content(['application/json'], schema), required: true },
      responses: responses(schema, { 200: 'OK', 201: 'Created', 202: 'Accepted' }),
    });
  }
  return Object.keys(ops).length ? ops : undefined;
}

/** `api/v1` or `apis/<group>/<version>` for a resource. */
export function groupVersionPath(r: { group: string; version: string }): string {
  return r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
}

function render(resources: readonly ResourceInfo[], gvPath: string): Rendered | undefined {
  const mine = resources.filter((r) => groupVersionPath(r) === gvPath);
  if (!mine.length) return undefined;
  const schemas = new Set([`${META}.Status`, `${META}.DeleteOptions`, `${META}.Patch`]);
  const paths: Record<string, Json> = {};
  for (const r of mine) Object.assign(paths, resourcePaths(r, schemas));
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const doc: Json = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: sortedPaths,
    components: { schemas: schemaClosure(schemas) },
  };
  const json = JSON.stringify(doc);
  // Upstream's hash is the upper-case hex SHA-512 of the document.
  return { doc, json, hash: createHash('sha512').update(json).digest('hex').toUpperCase() };
}

interface Cache {
  docs: Map<string, Rendered | undefined>;
  index?: Json;
}
const caches = new WeakMap<readonly ResourceInfo[], Cache>();

function cacheFor(resources: readonly ResourceInfo[]): Cache {
  let c = caches.get(resources);
  if (!c) caches.set(resources, (c = { docs: new Map() }));
  return c;
}

/**
 * One group version's document with its serialized JSON and hash (for serving with an ETag),
 * or undefined when no resource is served there. Computed once per resource table.
 */
export function openApiV3Document(resources: readonly ResourceInfo[], groupVersionPath: string): Readonly<Rendered> | undefined {
  const cache = cacheFor(resources);
  const key = groupVersionPath.replace(/^\/+|\/+$/g, '');
  if (!cache.docs.has(key)) cache.docs.set(key, render(resources, key));
  return cache.docs.get(key);
}

/** The OpenAPI 3.0.0 document for `api/v1` or `apis/<group>/<version>`; undefined if not served. */
export function openApiV3GroupVersion(resources: readonly ResourceInfo[], groupVersionPath: string): unknown | undefined {
  return openApiV3Document(resources, groupVersionPath)?.doc;
}

/** `/openapi/v3`: `{paths: {"apis/apps/v1": {serverRelativeURL: "/openapi/v3/apis/apps/v1?hash=…"}}}`. */
export function openApiV3Index(resources: readonly ResourceInfo[]): unknown {
  const cache = cacheFor(resources);
  if (!cache.index) {
    const paths: Record<string, Json> = {};
    for (const gv of new Set(resources.map(groupVersionPath))) {
      const rendered = openApiV3Document(resources, gv);
      if (rendered) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${rendered.hash}` };
    }
    cache.index = { paths };
  }
  return cache.index;
}
