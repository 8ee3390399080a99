/**
 * @module Non-resource paths: health (open), version, discovery, OpenAPI and metrics.
 */
import { StatusError } from '../../machinery/status.ts';
import { versionInfo } from '../discovery.ts';
import { openApiV3Document, openApiV3Index } from '../openapi/v3.ts';
import { openApiV2Document } from '../openapi/v2.ts';
import { etagMatches, negotiateOpenApiV2, OPENAPI_V2_PROTOBUF_TYPE, openApiV2Protobuf } from '../openapi/v2-proto.ts';
import type { ServerContext } from '../context.ts';
import type { ApiRequest, ApiResponse } from '../types.ts';
import { negotiate } from './negotiate.ts';
import { errorResponse, json, text } from './respond.ts';

function health(server: ServerContext, path: string, req: ApiRequest): ApiResponse | undefined {
  const which = path.replace(/^\//, '').split('/')[0];
  if (which !== 'healthz' && which !== 'livez' && which !== 'readyz') return undefined;
  const ok = which !== 'readyz' || server.ready;
  if (req.query.has('verbose')) {
    const lines = ['[+]ping ok', `[${ok ? '+' : '-'}]watch-cache ${ok ? 'ok' : 'not ready'}`, `${which} check ${ok ? 'passed' : 'failed'}`];
    return text(ok ? 200 : 503, lines.join('\n') + '\n');
  }
  return text(ok ? 200 : 503, ok ? 'ok' : 'not ready');
}

export const nonResource = {
  /** Answered without authentication: liveness and readiness only. */
  public(server: ServerContext, req: ApiRequest): ApiResponse | undefined {
    if (req.method.toUpperCase() !== 'GET' && req.method.toUpperCase() !== 'HEAD') return undefined;
    return health(server, req.path, req);
  },

  async authenticated(server: ServerContext, req: ApiRequest): Promise<ApiResponse> {
    const path = req.path.replace(/\/+$/, '') || '/';
    const method = req.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') return errorResponse(StatusError.methodNotAllowed());
    const media = negotiate(req.headers.accept);
    const d = server.discovery;
    if (path === '/version') return json(200, versionInfo);
    if (path === '/api' || path === '/apis') {
      const legacy = path === '/api';
      if (media.aggregatedDiscovery)
        return json(200, d.aggregated(legacy, media.aggregatedDiscovery), {
          'content-type': `application/json;g=apidiscovery.k8s.io;v=${media.aggregatedDiscovery};as=APIGroupDiscoveryList`,
        });
      return json(200, legacy ? d.apiVersions() : d.apiGroupList());
    }
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'api' && parts.length === 2) {
      const doc = d.resourceList('', parts[1]!);
      if (doc) return json(200, doc);
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const doc = d.apiGroupDoc(parts[1]!);
      if (doc) return json(200, doc);
    }
    if (parts[0] === 'apis' && parts.length === 3) {
      const doc = d.resourceList(parts[1]!, parts[2]!);
      if (doc) return json(200, doc);
    }
    if (path === '/openapi/v2') {
      // As kube-openapi: one ETag (of the JSON) for both encodings, hence `Vary: Accept`.
      const format = negotiateOpenApiV2(req.headers.accept);
      if (!format) return { status: 406, headers: { vary: 'Accept' }, body: new Uint8Array() };
      const doc = openApiV2Document(server.resources);
      const headers = { vary: 'Accept', etag: `"${doc.etag}"`, 'content-type': format === 'protobuf' ? OPENAPI_V2_PROTOBUF_TYPE : 'application/json' };
      if (etagMatches(req.headers['if-none-match'], headers.etag)) return { status: 304, headers, body: new Uint8Array() };
      return { status: 200, headers, body: format === 'protobuf' ? openApiV2Protobuf(doc) : new TextEncoder().encode(doc.json) };
    }
    if (path === '/openapi/v3') return json(200, openApiV3Index(server.resources));
    if (parts[0] === 'openapi' && parts[1] === 'v3' && parts.length > 2) {
      const doc = openApiV3Document(server.resources, parts.slice(2).join('/'));
      if (doc)
        return {
          status: 200,
          headers: { 'content-type': 'application/json', 'cache-control': 'public, immutable', etag: `"${doc.hash}"` },
          body: new TextEncoder().encode(doc.json),
        };
    }
    if (path === '/metrics') {
      const body = await server.metrics.registry.metrics();
      return text(200, body, server.metrics.registry.contentType);
    }
    return errorResponse(StatusError.pathNotFound());
  },
};
