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

/**
 * The path's non-empty segments, percent-decoded; one pass, no decoding unless a `%` occurs.
 * Not cached per path: measured, a bounded cache costs more than it saves, since half of a
 * busy server's writes name one object (pods/NAME/binding) and so a path seen once.
 */
function splitPath(path: string): string[] {
  const escaped = path.includes('%');
  const parts: string[] = [];
  for (const p of path.split('/')) if (p.length > 0) parts.push(escaped ? decodeSegment(p) : p);
  return parts;
}

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const lowerVerb = methodVerbs[method] ?? methodVerbs[method.toUpperCase()] ?? method.toLowerCase();
  const parts = splitPath(path);
  const apiPrefix = parts[0];
  if (apiPrefix !== 'api' && apiPrefix !== 'apis') return { isResourceRequest: false, path, verb: lowerVerb };
  // `rest` is parts[at...]: indices instead of slices, as this runs on every request.
  let at: number;
  let group = '';
  let version: string;
  if (apiPrefix === 'api') {
    if (parts.length < 3) return { isResourceRequest: false, path, verb: lowerVerb };
    version = parts[1]!;
    at = 2;
  } else {
    if (parts.length < 4) return { isResourceRequest: false, path, verb: lowerVerb };
    group = parts[1]!;
    version = parts[2]!;
    at = 3;
  }

  let verb = lowerVerb;
  // legacy /watch/ prefix
  if (parts[at] === 'watch') {
    verb = 'watch';
    at++;
  }
  let namespace = '';
  let resource: string;
  let name: string;
  let subresource: string;
  const left = parts.length - at;
  if (parts[at] === 'namespaces' && left > 1) {
    namespace = parts[at + 1]!;
    if (left > 2) {
      at += 2;
      resource = parts[at]!;
      name = parts[at + 1] ?? '';
      subresource = parts[at + 2] ?? '';
    } else {
      // `/api/v1/namespaces/NS` is the namespace object itself.
      resource = 'namespaces';
      name = namespace;
      subresource = '';
    }
  } else {
    resource = parts[at] ?? '';
    name = parts[at + 1] ?? '';
    subresource = parts[at + 2] ?? '';
  }
  // /api/v1/namespaces/NS/{status,finalize}
  if (namespace && (resource === 'status' || resource === 'finalize') && parts.length - at === 1) {
    subresource = resource;
    resource = 'namespaces';
    name = namespace;
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
