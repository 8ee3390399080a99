import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request-info.ts';

const q = (s = '') => new URLSearchParams(s);

test('namespaced collection and item', () => {
  const list = parseRequestInfo('GET', '/api/v1/namespaces/default/pods', q());
  assert.equal(list.isResourceRequest && list.verb, 'list');
  assert.equal(list.isResourceRequest && list.namespace, 'default');
  const get = parseRequestInfo('GET', '/apis/apps/v1/namespaces/ns1/deployments/web/scale', q());
  assert.ok(get.isResourceRequest);
  assert.deepEqual([get.group, get.version, get.namespace, get.resource, get.name, get.subresource, get.verb], [
    'apps', 'v1', 'ns1', 'deployments', 'web', 'scale', 'get',
  ]);
});

test('namespace object, status and finalize', () => {
  const ns = parseRequestInfo('GET', '/api/v1/namespaces/kube-system', q());
  assert.ok(ns.isResourceRequest);
  assert.deepEqual([ns.resource, ns.name, ns.namespace, ns.verb], ['namespaces', 'kube-system', '', 'get']);
  const st = parseRequestInfo('PUT', '/api/v1/namespaces/x/finalize', q());
  assert.ok(st.isResourceRequest);
  assert.deepEqual([st.resource, st.name, st.subresource, st.verb], ['namespaces', 'x', 'finalize', 'update']);
  const all = parseRequestInfo('GET', '/api/v1/namespaces', q('watch=true'));
  assert.ok(all.isResourceRequest);
  assert.deepEqual([all.resource, all.verb], ['namespaces', 'watch']);
});

test('cluster-wide list, deletecollection, non-resource', () => {
  const all = parseRequestInfo('GET', '/api/v1/pods', q());
  assert.ok(all.isResourceRequest);
  assert.deepEqual([all.resource, all.namespace, all.verb], ['pods', '', 'list']);
  const dc = parseRequestInfo('DELETE', '/api/v1/namespaces/a/configmaps', q());
  assert.ok(dc.isResourceRequest && dc.verb === 'deletecollection');
  assert.equal(parseRequestInfo('GET', '/healthz', q()).isResourceRequest, false);
  assert.equal(parseRequestInfo('GET', '/apis/apps', q()).isResourceRequest, false);
});
