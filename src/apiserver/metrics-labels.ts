/**
 * @module How upstream's apiserver metrics label a request (k8s.io/apiserver endpoints/metrics):
 * the verb as the route's action in upper case — POST for create, PUT for update, LIST, WATCH,
 * APPLY for a server-side-apply patch, CONNECT for exec/attach/portforward/proxy — its scope
 * (resource, namespace, cluster) and the dryRun mode.
 */
import type { RequestInfo } from './request-info.ts';

const actionVerbs: Record<string, string> = {
  create: 'POST',
  update: 'PUT',
  get: 'GET',
  list: 'LIST',
  watch: 'WATCH',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETECOLLECTION',
};

const connectSubresources = new Set(['exec', 'attach', 'portforward', 'proxy']);

/** The `verb` label: `contentType` is the request's Content-Type (an apply patch reports APPLY). */
export function reportedVerb(info: RequestInfo, contentType: string | undefined): string {
  // A non-resource request's verb is its method's (POST → create): report the method again.
  if (!info.isResourceRequest) return actionVerbs[info.verb] ?? info.verb.toUpperCase();
  if (connectSubresources.has(info.subresource)) return 'CONNECT';
  if (info.verb === 'patch' && contentType?.startsWith('application/apply-patch')) return 'APPLY';
  return actionVerbs[info.verb] ?? info.verb.toUpperCase();
}

/** The `scope` label: a named object (or a create), a namespace's collection, the cluster's, or none. */
export function requestScope(info: RequestInfo): string {
  if (!info.isResourceRequest) return '';
  if (info.name || info.verb === 'create') return 'resource';
  if (info.namespace) return 'namespace';
  return 'cluster';
}

/**
 * The `dry_run` label: the request's distinct dryRun values, sorted and comma-joined (usually
 * empty), or `invalid` when one is not a dry-run mode (upstream's cleanDryRun), so a client
 * cannot mint label sets at will.
 */
export function dryRunLabel(query: URLSearchParams): string {
  const v = query.getAll('dryRun');
  if (v.length === 0) return '';
  if (v.some((d) => d !== 'All' && d !== '')) return 'invalid';
  return [...new Set(v)].sort().join(',');
}
