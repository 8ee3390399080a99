/**
 * ApiServerMetrics request counting: counts gathered per label set reach
 * apiserver_request_total on every read of the registry, per response code, without loss.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServerMetrics } from './metrics.ts';

const line = (text: string, labels: string) => text.split('\n').find((l) => l.startsWith(`apiserver_request_total{${labels}}`));

describe('ApiServerMetrics request counts', () => {
  it('shows counts on each scrape and keeps adding after it', async () => {
    const m = new ApiServerMetrics();
    const s = m.requestSeries('create', '', 'v1', 'pods', 'binding');
    assert.equal(m.requestSeries('create', '', 'v1', 'pods', 'binding'), s, 'one series per label set');
    for (let i = 0; i < 3; i++) m.countRequest(s, 201);
    m.countRequest(s, 409);
    const labels = 'verb="create",group="",version="v1",resource="pods",subresource="binding"';
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
    m.countRequest(m.requestSeries('get', 'apps', 'v1', 'deployments', ''), 200);
    m.countRequest(m.requestSeries('list', 'apps', 'v1', 'deployments', ''), 200);
    m.countRequest(m.requestSeries('list', 'apps', 'v1', 'deployments', ''), 200);
    const text = await m.registry.metrics();
    assert.match(text, /apiserver_request_total\{verb="get",group="apps",version="v1",resource="deployments",subresource="",code="200"\} 1/);
    assert.match(text, /apiserver_request_total\{verb="list",group="apps",version="v1",resource="deployments",subresource="",code="200"\} 2/);
  });
});
