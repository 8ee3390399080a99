/**
 * @module The `/openapi/v2` document as protobuf: gnostic's `openapi.v2.Document`, which is what
 * client-go's `OpenAPISchema()` asks for (`Accept:
 * application/com.github.proto-openapi.spec.v2@v1.0+protobuf`) and `proto.Unmarshal`s.
 *
 * The message shapes are in `openapiv2.proto` beside this file (the subset of gnostic's
 * OpenAPIv2.proto this document needs), loaded with protobufjs keeping the snake_case field
 * names, so the objects built here read like the proto. The mapping follows gnostic's
 * `NewDocument`: JSON maps become repeated `Named*` pairs in document order, every `x-…` key
 * becomes a `NamedAny` whose `Any.yaml` holds the value as YAML (kube-openapi reads only that),
 * `type` is a `TypeItem`, `items` an `ItemsItem`, parameters and responses are wrapped in the
 * proto's oneof messages.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { stringify } from 'yaml';
import type { Json, RenderedV2, SwaggerDocument } from './v2.ts';

/** The media type kubectl sends (deprecated spelling) and the one answered with. */
export const OPENAPI_V2_PROTOBUF_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
export const OPENAPI_V2_PROTOBUF_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

let documentType: protobuf.Type | undefined;

/** `openapi.v2.Document` from `openapiv2.proto` (field names as in the proto). */
export function openApiV2DocumentType(): protobuf.Type {
  if (!documentType) {
    const root = new protobuf.Root().loadSync(fileURLToPath(new URL('./openapiv2.proto', import.meta.url)), { keepCase: true });
    documentType = root.lookupType('openapi.v2.Document');
  }
  return documentType;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function vendorExtensions(o: Json): Json[] | undefined {
  const out = Object.entries(o)
    .filter(([k]) => k.startsWith('x-'))
    .map(([name, value]) => ({ name, value: { yaml: stringify(value) } }));
  return out.length ? out : undefined;
}

function schema(s: Json): Json {
  const ap = s.additionalProperties;
  return {
    _ref: str(s.$ref),
    format: str(s.format),
    description: str(s.description),
    required: strings(s.required),
    additional_properties: typeof ap === 'boolean' ? { boolean: ap } : isObject(ap) ? { schema: schema(ap) } : undefined,
    type: typeof s.type === 'string' ? { value: [s.type] } : undefined,
    items: isObject(s.items) ? { schema: [schema(s.items)] } : undefined,
    properties: isObject(s.properties)
      ? { additional_properties: Object.entries(s.properties).map(([name, v]) => ({ name, value: schema(v as Json) })) }
      : undefined,
    vendor_extension: vendorExtensions(s),
  };
}

function parameter(p: Json): Json {
  if (typeof p.$ref === 'string') return { json_reference: { _ref: p.$ref } };
  const common = { required: p.required === true, in: str(p.in), description: str(p.description), name: str(p.name) };
  if (p.in === 'body') return { parameter: { body_parameter: { ...common, schema: isObject(p.schema) ? schema(p.schema) : undefined } } };
  const sub = { ...common, type: str(p.type), format: str(p.format), unique_items: p.uniqueItems === true, vendor_extension: vendorExtensions(p) };
  const which = p.in === 'path' ? 'path_parameter_sub_schema' : 'query_parameter_sub_schema';
  return { parameter: { non_body_parameter: { [which]: sub } } };
}

const parameters = (v: unknown): Json[] | undefined => (Array.isArray(v) ? v.filter(isObject).map(parameter) : undefined);

function operation(o: Json): Json {
  const responses = isObject(o.responses) ? o.responses : {};
  return {
    tags: strings(o.tags),
    description: str(o.description),
    operation_id: str(o.operationId),
    produces: strings(o.produces),
    consumes: strings(o.consumes),
    parameters: parameters(o.parameters),
    responses: {
      response_code: Object.entries(responses).map(([name, r]) => {
        const resp = r as Json;
        return { name, value: { response: { description: str(resp.description), schema: isObject(resp.schema) ? { schema: schema(resp.schema) } : undefined } } };
      }),
    },
    schemes: strings(o.schemes),
    vendor_extension: vendorExtensions(o),
  };
}

const VERBS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

function pathItem(p: Json): Json {
  const out: Json = { parameters: parameters(p.parameters), vendor_extension: vendorExtensions(p) };
  for (const verb of VERBS) if (isObject(p[verb])) out[verb] = operation(p[verb]);
  return out;
}

/** The plain-object form of `openapi.v2.Document` for a Swagger document (input to `fromObject`). */
export function documentMessage(doc: SwaggerDocument): Json {
  return {
    swagger: doc.swagger,
    info: { title: doc.info.title, version: doc.info.version },
    paths: { path: Object.entries(doc.paths).map(([name, item]) => ({ name, value: pathItem(item) })) },
    definitions: { additional_properties: Object.entries(doc.definitions).map(([name, s]) => ({ name, value: schema(s) })) },
    security: doc.security.map((req) => ({ additional_properties: Object.entries(req).map(([name, value]) => ({ name, value: { value } })) })),
    security_definitions: {
      additional_properties: Object.entries(doc.securityDefinitions).map(([name, d]) => ({
        name,
        value: { api_key_security: { type: str(d.type), name: str(d.name), in: str(d.in), description: str(d.description), vendor_extension: vendorExtensions(d) } },
      })),
    },
  };
}

const encoded = new WeakMap<RenderedV2, Uint8Array>();

/** The protobuf encoding of a rendered document; encoded once per document. */
export function openApiV2Protobuf(rendered: RenderedV2): Uint8Array {
  let bytes = encoded.get(rendered);
  if (!bytes) {
    const type = openApiV2DocumentType();
    bytes = type.encode(type.fromObject(documentMessage(rendered.doc))).finish();
    encoded.set(rendered, bytes);
  }
  return bytes;
}

// ---- serving ---------------------------------------------------------------------------

const ACCEPTED: ReadonlyArray<{ subtype: string; format: 'json' | 'protobuf' }> = [
  { subtype: 'json', format: 'json' },
  { subtype: OPENAPI_V2_PROTOBUF_ACCEPT.slice('application/'.length), format: 'protobuf' },
  { subtype: OPENAPI_V2_PROTOBUF_TYPE.slice('application/'.length), format: 'protobuf' },
];

/**
 * Content negotiation as kube-openapi's handler does it: Accept clauses ordered by q, then by
 * specificity (goautoneg); the first that matches json or either protobuf spelling wins; no
 * Accept means any. Undefined means 406.
 */
export function negotiateOpenApiV2(accept: string | undefined): 'json' | 'protobuf' | undefined {
  const clauses = (accept?.trim() ? accept : '*/*')
    .split(',')
    .map((part, i) => {
      const [range = '', ...params] = part.trim().split(';');
      const [type = '', subtype = ''] = range.trim().toLowerCase().split('/');
      const qParam = params.map((p) => p.trim().split('=')).find(([k]) => k === 'q');
      const q = qParam?.[1] !== undefined ? Number(qParam[1]) : 1;
      const specificity = (type === '*' ? 0 : 1) + (subtype === '*' ? 0 : 1);
      return { type, subtype, q: Number.isFinite(q) ? q : 0, specificity, i };
    })
    .filter((c) => c.q > 0 && c.type)
    .sort((a, b) => b.q - a.q || b.specificity - a.specificity || a.i - b.i);
  for (const c of clauses) {
    if (c.type !== 'application' && c.type !== '*') continue;
    const hit = ACCEPTED.find((a) => c.subtype === '*' || c.subtype === a.subtype);
    if (hit) return hit.format;
  }
  return undefined;
}

/** `If-None-Match` against a (quoted) ETag: `*`, or any listed tag, weak or strong. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
