/**
 * @module Parses a request path into what it addresses (apiserver's RequestInfoFactory):
 * API prefix, group/version, namespace, resource, name, subresource and the verb.
 */
export interface ResourceRequestInfo {
  isResourceRequest: true;
  /** `api` or `apis` */
  apiPrefix: 'api' | 'apis';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  /** get, list, watch, create, update, patch, delete, deletecollection */
  verb: string;
  path: string;
}

export interface NonResourceRequestInfo {
  isResourceRequest: false;
  path: string;
  verb: string;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

const methodVerbs: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The path's non-empty segments, percent-decoded; one pass, no decoding unless a `%` occurs. */
function splitPath(path: string): string[] {
  const raw = path.split('/');
  const parts: string[] = [];
  const escaped = path.includes('%');
  for (const p of raw) if (p.length > 0) parts.push(escaped ? decodeSegment(p) : p);
  return parts;
}

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const lowerVerb = methodVerbs[method] ?? methodVerbs[method.toUpperCase()] ?? method.toLowerCase();
  const parts = splitPath(path);
  const nonResource: NonResourceRequestInfo = { isResourceRequest: false, path, verb: lowerVerb };
  if (parts[0] !== 'api' && parts[0] !== 'apis') return nonResource;
  const apiPrefix = parts[0];
  let rest: string[];
  let group = '';
  let version: string;
  if (apiPrefix === 'api') {
    if (parts.length < 3) return nonResource;
    version = parts[1]!;
    rest = parts.slice(2);
  } else {
    if (parts.length < 4) return nonResource;
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  }

  let verb = lowerVerb;
  // legacy /watch/ prefix
  if (rest[0] === 'watch') {
    verb = 'watch';
    rest = rest.slice(1);
  }
  let namespace = '';
  if (rest[0] === 'namespaces') {
    if (rest.length > 1) {
      namespace = rest[1]!;
      if (rest.length > 2) rest = rest.slice(2);
      else rest = ['namespaces', rest[1]!];
    }
  }
  // `/api/v1/namespaces/NS` is the namespace object itself; `/api/v1/namespaces/NS/status` its status.
  let resource = rest[0] ?? '';
  let name = rest[1] ?? '';
  let subresource = rest[2] ?? '';
  // /api/v1/namespaces/NS/{status,finalize}
  if (namespace && (rest[0] === 'status' || rest[0] === 'finalize') && rest.length === 1) {
    resource = 'namespaces';
    name = namespace;
    subresource = rest[0];
  }
  if (resource === 'namespaces') namespace = '';

  if (verb === 'get' && !name) verb = 'list';
  if ((verb === 'list' || verb === 'get') && (query.get('watch') === 'true' || query.get('watch') === '1')) verb = 'watch';
  if (verb === 'delete' && !name) verb = 'deletecollection';

  return {
    isResourceRequest: true,
    apiPrefix,
    group,
    version,
    namespace,
    resource,
    name,
    subresource,
    verb,
    path,
  };
}
