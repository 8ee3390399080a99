/**
 * @module Serves `metrics.k8s.io/v1beta1` nodes and pods from a MetricsProvider: get by name and
 * list (cluster-wide or per namespace) with `labelSelector` (matched against the node's or pod's
 * labels) and `fieldSelector` on `metadata.name` (and `metadata.namespace` for pods).
 */
import { parseFieldSelector } from '../../../machinery/fields.ts';
import { parseLabelSelector } from '../../../machinery/labels.ts';
import { StatusError } from '../../../machinery/status.ts';
import { json } from '../../http/respond.ts';
import type { ResourceRequestInfo } from '../../request-info.ts';
import type { ApiResponse } from '../../types.ts';
import { metricsGroup, metricsVersion } from './resources.ts';
import type { MetricsProvider, NodeMetrics, PodMetrics } from './types.ts';

const apiVersion = `${metricsGroup}/${metricsVersion}` as const;

/** Filters by the list options; exported for unit tests. */
export function selectMetrics<T extends NodeMetrics | PodMetrics>(items: T[], query: URLSearchParams): T[] {
  const ls = query.get('labelSelector');
  const fs = query.get('fieldSelector');
  const labels = ls ? parseLabelSelector(ls) : undefined;
  const fields = fs ? parseFieldSelector(fs) : undefined;
  return items
    .filter((m) => !labels || labels.matches(m.metadata.labels))
    .filter((m) => !fields || fields.matches((f) => (f === 'metadata.name' ? m.metadata.name : f === 'metadata.namespace' ? (m.metadata.namespace ?? '') : undefined)))
    .sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

export function serveMetrics(provider: MetricsProvider, info: ResourceRequestInfo, query: URLSearchParams): ApiResponse {
  if (info.version !== metricsVersion || info.subresource) throw StatusError.pathNotFound();
  if (info.resource !== 'nodes' && info.resource !== 'pods') throw StatusError.pathNotFound();
  if (info.resource === 'nodes' && info.namespace) throw StatusError.pathNotFound();
  if (info.verb !== 'get' && info.verb !== 'list') throw StatusError.methodNotAllowed();
  const nodes = info.resource === 'nodes';
  const kind = nodes ? 'NodeMetrics' : 'PodMetrics';
  const all: (NodeMetrics | PodMetrics)[] = nodes ? provider.nodeMetrics() : provider.podMetrics(info.namespace);
  if (info.verb === 'get') {
    const m = all.find((x) => x.metadata.name === info.name && (nodes || x.metadata.namespace === info.namespace));
    if (!m) throw StatusError.notFound({ group: metricsGroup, resource: info.resource }, info.name);
    return json(200, { kind, apiVersion, ...m });
  }
  // Field selectors other than metadata.* are rejected, as the upstream field label conversion does.
  const fs = query.get('fieldSelector');
  if (fs) {
    for (const r of parseFieldSelector(fs).requirements)
      if (r.field !== 'metadata.name' && (nodes || r.field !== 'metadata.namespace'))
        throw StatusError.badRequest(`field label not supported: ${r.field}`);
  }
  // List items carry no kind/apiVersion, as metrics-server's lists.
  const items = selectMetrics(all, query).map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
  return json(200, { kind: `${kind}List`, apiVersion, metadata: {}, items });
}
