import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Upstream } from './endpoints.ts';
import { IngressMetrics } from './metrics.ts';
import { ingressHandler } from './proxy.ts';
import { RouteTable, type ServiceBackend } from './router.ts';

const listen = (srv: net.Server) => new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as AddressInfo).port)));

describe('ingress proxy handler', () => {
  let backend: http.Server;
  let proxy: http.Server;
  let backendPort: number;
  let deadPort: number;
  let proxyPort: number;
  const endpoints = new Map<string, Upstream[]>();
  const metrics = new IngressMetrics();
  const agent = new http.Agent({ keepAlive: true });
  const be = (name: string) => ({ service: { name, port: { number: 80 } } });
  const table = new RouteTable([
    {
      metadata: { name: 'web', namespace: 'default', annotations: {} },
      spec: { tls: [{ hosts: ['tls.test'], secretName: 's' }], rules: [
        { host: 'web.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: be('web') }, { path: '/none', pathType: 'Prefix', backend: be('none') }] } },
        { host: 'tls.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: be('web') }] } },
      ] },
    } as Ingress & KubeObject,
  ]);

  before(async () => {
    backend = http.createServer((req, res) => res.end(JSON.stringify({ url: req.url, xff: req.headers['x-forwarded-for'], xfh: req.headers['x-forwarded-host'], xfp: req.headers['x-forwarded-proto'], host: req.headers.host })));
    backendPort = await listen(backend);
    const dead = net.createServer();
    deadPort = await listen(dead);
    await new Promise((r) => dead.close(r)); // a port nobody listens on: connection refused
    const ctx = { table: () => table, endpoints: { pick: (b: ServiceBackend) => endpoints.get(b.service) ?? [] }, metrics, agent: new http.Agent({ keepAlive: true }), httpsPort: 8443 };
    proxy = http.createServer(ingressHandler(ctx, 'http'));
    proxyPort = await listen(proxy);
  });
  after(async () => {
    agent.destroy();
    proxy.closeAllConnections();
    backend.closeAllConnections();
    await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => backend.close(r))]);
  });

  const get = (host: string, path: string) => new Promise<{ status: number; body: string; location?: string }>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: proxyPort, path, headers: { host }, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode!, body, location: res.headers.location }));
    }).on('error', reject);
  });

  it('forwards with X-Forwarded headers, retrying past a refused endpoint', async () => {
    endpoints.set('web', [{ host: '127.0.0.1', port: deadPort }, { host: '127.0.0.1', port: backendPort }]);
    const r = await get('web.test:8080', '/a?b=1');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { url: '/a?b=1', xff: '127.0.0.1', xfh: 'web.test:8080', xfp: 'http', host: 'web.test:8080' });
    const metric = await metrics.registry.getSingleMetricAsString('skiff_ingress_requests_total');
    assert.match(metric, /skiff_ingress_requests_total\{ingress="default\/web",service="web",code="200"\} 1/);
  });
  it('answers 503 without endpoints, 502 when every try is refused, 404 without a route', async () => {
    assert.equal((await get('web.test', '/none')).status, 503);
    endpoints.set('web', [{ host: '127.0.0.1', port: deadPort }]);
    assert.equal((await get('web.test', '/')).status, 502);
    const miss = await get('nope.test', '/');
    assert.deepEqual([miss.status, miss.body], [404, 'default backend - 404\n']);
  });
  it('redirects plain HTTP for a TLS host with 308', async () => {
    const r = await get('tls.test', '/p?q');
    assert.equal(r.status, 308);
    assert.equal(r.location, 'https://tls.test:8443/p?q');
  });
});
