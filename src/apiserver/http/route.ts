/**
 * @module Routes a resource request to its handler: reviews and bindings (not stored), the
 * subresources (status, scale, binding, eviction, finalize) and the eight verbs.
 */
import type { ResourceInfo } from '../../machinery/resources.ts';
import { StatusError } from '../../machinery/status.ts';
import type { ResourceRequestInfo } from '../request-info.ts';
import type { ServerContext } from '../context.ts';
import type { ApiRequest, ApiResponse, UserInfo } from '../types.ts';
import { decodeObject } from './body.ts';
import { createObject } from './create.ts';
import { deleteCollection, deleteObject } from './delete.ts';
import type { MediaChoice } from './negotiate.ts';
import { patchObject } from './patch.ts';
import { bindPod, namespaceFinalize, podBinding, podEviction } from './pod-subresources.ts';
import { podLog, podUpgrade } from './pod-proxy.ts';
import { getObject, listCollection } from './read.ts';
import { review, reviewResources } from './reviews.ts';
import { scaleSubresource } from './scale.ts';
import { csrApproval, csrCreate } from './csr.ts';
import { serviceAccountToken } from './token-request.ts';
import type { RequestScope } from './scope.ts';
import { updateObject } from './update.ts';
import { watchCollection } from './watch.ts';

function allowed(info: ResourceInfo, verb: string): boolean {
  return (info.verbs as string[]).includes(verb);
}

export async function routeResource(
  server: ServerContext,
  req: ApiRequest,
  info: ResourceRequestInfo,
  user: UserInfo,
  media: MediaChoice,
  now: Date,
): Promise<ApiResponse> {
  if (reviewResources.has(info.resource) && (info.group === 'authorization.k8s.io' || info.group === 'authentication.k8s.io')) {
    if (!server.discovery.hasGroupVersion(info.group, info.version)) throw StatusError.pathNotFound();
    return review(info, req, user, { authorizer: server.authorizer, authenticator: server.authenticator });
  }
  if (info.group === '' && info.resource === 'bindings') {
    const pods = server.store('', 'v1', 'pods');
    if (!pods || req.method.toUpperCase() !== 'POST' || info.name) throw StatusError.methodNotAllowed();
    const binding = decodeObject(req.headers['content-type'], req.body);
    const scope: RequestScope = { req, info, store: pods, user, media, now };
    return bindPod(scope, info.namespace, binding.metadata?.name ?? '', binding);
  }
  const store = server.store(info.group, info.version, info.resource);
  if (!store) throw StatusError.pathNotFound();
  const rinfo = store.strategy.info;
  if (!rinfo.namespaced && info.namespace) throw StatusError.pathNotFound();
  const scope: RequestScope = { req, info, store, user, media, now };
  const verb = info.verb;

  if (info.subresource) {
    const sub = rinfo.subresources?.find((s) => s.name === info.subresource);
    if (!sub || !info.name) throw StatusError.pathNotFound();
    switch (info.subresource) {
      case 'status':
        if (verb === 'get') return getObject(scope);
        if (verb === 'update') return updateObject(scope);
        if (verb === 'patch') return patchObject(scope);
        break;
      case 'scale':
        return scaleSubresource(scope);
      case 'binding':
        if (verb === 'create') return podBinding(scope);
        break;
      case 'eviction':
        if (verb === 'create') return podEviction(scope, server.store('policy', 'v1', 'poddisruptionbudgets'));
        break;
      case 'finalize':
        if (verb === 'update') return namespaceFinalize(scope);
        break;
      case 'log':
        if (verb === 'get' && info.group === '' && info.resource === 'pods') return podLog(server, scope);
        break;
      case 'exec':
      case 'attach':
      case 'portforward':
        // Connection upgrades: WebSocket (GET) or SPDY (POST).
        if ((verb === 'get' || verb === 'create') && info.group === '' && info.resource === 'pods') return podUpgrade(server, scope);
        break;
      case 'token':
        if (verb === 'create') return serviceAccountToken(server, scope);
        break;
      case 'approval':
        if (verb === 'get') return getObject(scope);
        if (verb === 'update') return csrApproval(scope);
        break;
    }
    throw StatusError.methodNotAllowed();
  }

  if (!allowed(rinfo, verb)) throw StatusError.methodNotAllowed();
  switch (verb) {
    case 'get':
      return getObject(scope);
    case 'list':
      return listCollection(scope);
    case 'watch':
      return watchCollection(scope);
    case 'create':
      if (info.name) throw StatusError.methodNotAllowed();
      if (info.group === 'certificates.k8s.io' && info.resource === 'certificatesigningrequests') return csrCreate(scope);
      return createObject(scope);
    case 'update':
      return updateObject(scope);
    case 'patch':
      return patchObject(scope);
    case 'delete':
      return deleteObject(scope);
    case 'deletecollection':
      return deleteCollection(scope);
  }
  throw StatusError.methodNotAllowed();
}
