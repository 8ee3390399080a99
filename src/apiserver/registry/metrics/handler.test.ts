import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceRequestInfo } from '../../request-info.ts';
import type { ApiResponse } from '../../types.ts';
import { selectMetrics, serveMetrics } from './handler.ts';
import type { MetricsProvider, PodMetrics } from './types.ts';

const pm = (ns: string, name: string, labels: Record<string, string>): PodMetrics => ({
  metadata: { name, namespace: ns, labels },
  timestamp: '2026-01-01T00:00:00Z',
  window: '15s',
  containers: [{ name: 'c', usage: { cpu: '1m', memory: '4Mi' } }],
});
const pods = [pm('b', 'x', { app: 'web' }), pm('a', 'y', { app: 'db' }), pm('a', 'x', { app: 'web' })];
const provider: MetricsProvider = {
  nodeMetrics: () => [{ metadata: { name: 'n1', labels: { zone: 'z' } }, timestamp: '2026-01-01T00:00:00Z', window: '15s', usage: { cpu: '1', memory: '1Gi' } }],
  podMetrics: (ns) => pods.filter((p) => !ns || p.metadata.namespace === ns),
};
const info = (over: Partial<ResourceRequestInfo>): ResourceRequestInfo => ({
  isResourceRequest: true, apiPrefix: 'apis', group: 'metrics.k8s.io', version: 'v1beta1', namespace: '', resource: 'pods', name: '', subresource: '', verb: 'list', path: '', ...over,
});
const body = (r: ApiResponse) => JSON.parse(new TextDecoder().decode(r.body as Uint8Array)) as { kind: string; items: PodMetrics[]; metadata: { name: string } };

describe('metrics.k8s.io list filtering', () => {
  it('filters by label and metadata.name/namespace field selectors, sorted by namespace and name', () => {
    const q = (s: string) => new URLSearchParams(s);
    assert.deepEqual(selectMetrics(pods, q('')).map((p) => `${p.metadata.namespace}/${p.metadata.name}`), ['a/x', 'a/y', 'b/x']);
    assert.deepEqual(selectMetrics(pods, q('labelSelector=app%3Dweb')).map((p) => `${p.metadata.namespace}/${p.metadata.name}`), ['a/x', 'b/x']);
    assert.deepEqual(selectMetrics(pods, q('fieldSelector=metadata.name%3Dy')).map((p) => p.metadata.name), ['y']);
    assert.deepEqual(selectMetrics(pods, q('fieldSelector=metadata.namespace!%3Da')).map((p) => p.metadata.namespace), ['b']);
  });

  it('serves lists, gets, 404s and rejects other fields', () => {
    const list = serveMetrics(provider, info({ namespace: 'a' }), new URLSearchParams());
    assert.equal(body(list).kind, 'PodMetricsList');
    assert.equal(body(list).items.length, 2);
    assert.equal((body(list).items[0] as unknown as Record<string, unknown>).kind, undefined);
    const got = serveMetrics(provider, info({ resource: 'nodes', verb: 'get', name: 'n1' }), new URLSearchParams());
    assert.equal(body(got).kind, 'NodeMetrics');
    assert.equal(body(got).metadata.name, 'n1');
    assert.throws(() => serveMetrics(provider, info({ verb: 'get', namespace: 'b', name: 'y' }), new URLSearchParams()), /"y" not found/);
    assert.throws(() => serveMetrics(provider, info({}), new URLSearchParams('fieldSelector=spec.nodeName%3Dn1')), /field label not supported/);
    assert.throws(() => serveMetrics(provider, info({ verb: 'create' }), new URLSearchParams()), /does not allow this method/);
  });
});
