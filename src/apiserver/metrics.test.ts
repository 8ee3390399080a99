/**
 * ApiServerMetrics request counting: counts gathered per label set reach
 * apiserver_request_total on every read of the registry, per response code, without loss.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dryRunLabel, reportedVerb, requestScope } from './metrics-labels.ts';
import { ApiServerMetrics } from './metrics.ts';
import { parseRequestInfo } from './request-info.ts';

const line = (text: string, labels: string) => text.split('\n').find((l) => l.startsWith(`apiserver_request_total{${labels}}`));

describe('ApiServerMetrics request counts', () => {
  it('shows counts on each scrape and keeps adding after it', async () => {
    const m = new ApiServerMetrics();
    const s = m.requestSeries('POST', '', 'v1', 'pods', 'binding', 'resource');
    assert.equal(m.requestSeries('POST', '', 'v1', 'pods', 'binding', 'resource'), s, 'one series per label set');
    for (let i = 0; i < 3; i++) m.countRequest(s, 201);
    m.countRequest(s, 409);
    const labels = 'verb="POST",dry_run="",group="",version="v1",resource="pods",subresource="binding",scope="resource",component="apiserver"';
    let text = await m.registry.metrics();
    assert.equal(line(text, `${labels},code="201"`), `apiserver_request_total{${labels},code="201"} 3`);
    assert.equal(line(text, `${labels},code="409"`), `apiserver_request_total{${labels},code="409"} 1`);
    m.countRequest(s, 201);
    text = await m.registry.metrics();
    assert.equal(line(text, `${labels},code="201"`), `apiserver_request_total{${labels},code="201"} 4`);
    const got = await m.requests.get();
    assert.equal(got.values.reduce((n, v) => n + v.value, 0), 5);
  });

  it('keeps separate label sets apart', async () => {
    const m = new ApiServerMetrics();
    m.countRequest(m.requestSeries('GET', 'apps', 'v1', 'deployments', '', 'resource'), 200);
    m.countRequest(m.requestSeries('LIST', 'apps', 'v1', 'deployments', '', 'namespace'), 200);
    m.countRequest(m.requestSeries('LIST', 'apps', 'v1', 'deployments', '', 'namespace'), 200);
    const text = await m.registry.metrics();
    assert.match(text, /apiserver_request_total\{verb="GET",dry_run="",group="apps",version="v1",resource="deployments",subresource="",scope="resource",component="apiserver",code="200"\} 1/);
    assert.match(text, /apiserver_request_total\{verb="LIST",dry_run="",group="apps",version="v1",resource="deployments",subresource="",scope="namespace",component="apiserver",code="200"\} 2/);
  });
});

describe('request labels as upstream reports them', () => {
  const info = (method: string, path: string, query = '') => parseRequestInfo(method, path, new URLSearchParams(query));
  it('maps actions to upstream verbs', () => {
    assert.equal(reportedVerb(info('POST', '/api/v1/namespaces/d/pods'), 'application/json'), 'POST');
    assert.equal(reportedVerb(info('PUT', '/api/v1/namespaces/d/pods/p'), 'application/json'), 'PUT');
    assert.equal(reportedVerb(info('GET', '/api/v1/namespaces/d/pods/p'), undefined), 'GET');
    assert.equal(reportedVerb(info('GET', '/api/v1/pods'), undefined), 'LIST');
    assert.equal(reportedVerb(info('GET', '/api/v1/pods', 'watch=true'), undefined), 'WATCH');
    assert.equal(reportedVerb(info('PATCH', '/apis/apps/v1/namespaces/d/deployments/x'), 'application/merge-patch+json'), 'PATCH');
    assert.equal(reportedVerb(info('PATCH', '/apis/apps/v1/namespaces/d/deployments/x'), 'application/apply-patch+yaml'), 'APPLY');
    assert.equal(reportedVerb(info('DELETE', '/api/v1/namespaces/d/pods'), undefined), 'DELETECOLLECTION');
    assert.equal(reportedVerb(info('POST', '/api/v1/namespaces/d/pods/p/exec'), undefined), 'CONNECT');
    assert.equal(reportedVerb(info('GET', '/healthz'), undefined), 'GET');
    assert.equal(reportedVerb(info('POST', '/apis/custom.example/v1'), undefined), 'POST', 'a non-resource POST');
  });
  it('labels the scope and dry run', () => {
    assert.equal(requestScope(info('POST', '/api/v1/namespaces/d/pods')), 'resource');
    assert.equal(requestScope(info('GET', '/api/v1/namespaces/d/pods')), 'namespace');
    assert.equal(requestScope(info('GET', '/api/v1/pods')), 'cluster');
    assert.equal(requestScope(info('GET', '/version')), '');
    assert.equal(dryRunLabel(new URLSearchParams('dryRun=All')), 'All');
    assert.equal(dryRunLabel(new URLSearchParams('')), '');
  });
});
