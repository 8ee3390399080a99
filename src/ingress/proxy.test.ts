import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Upstream } from './endpoints.ts';
import { IngressMetrics } from './metrics.ts';
import { UpstreamPool } from './http1/pool.ts';
import { Http1Server } from './http1/server.ts';
import { ingressHandler } from './proxy.ts';
import { RouteTable, type ServiceBackend } from './router.ts';

const listen = (srv: net.Server) => new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as AddressInfo).port)));

describe('ingress proxy handler', () => {
  let backend: http.Server;
  let proxy: Http1Server;
  let backendPort: number;
  let deadPort: number;
  let proxyPort: number;
  const endpoints = new Map<string, Upstream[]>();
  const metrics = new IngressMetrics();
  const agent = new http.Agent({ keepAlive: true });
  const pool = new UpstreamPool();
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
    const ctx = { table: () => table, endpoints: { pick: (b: ServiceBackend) => endpoints.get(b.service) ?? [] }, metrics, pool, httpsPort: 8443 };
    proxy = new Http1Server('http', ingressHandler(ctx, 'http'), undefined);
    proxyPort = await listen(proxy.server);
  });
  after(async () => {
    agent.destroy();
    proxy.closeAll();
    pool.destroy();
    backend.closeAllConnections();
    await Promise.all([new Promise((r) => proxy.server.close(r)), new Promise((r) => backend.close(r))]);
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

describe('ingress proxy on the http1 data path, against real backends', () => {
  const pool = new UpstreamPool({ timeoutMs: 5000 });
  const ups = new Map<string, Upstream[]>();
  const be = (name: string) => ({ service: { name, port: { number: 80 } } });
  const table = new RouteTable([
    { metadata: { name: 'b', namespace: 'default', annotations: {} }, spec: { rules: [{ http: { paths: ['echo', 'flaky', 'big'].map((n) => ({ path: `/${n}`, pathType: 'Prefix', backend: be(n) })) } }] } } as Ingress & KubeObject,
  ]);
  let proxy: Http1Server;
  let port: number;
  let echo: http.Server;
  let flaky: net.Server;
  let big: http.Server;
  const conns = { echo: 0, flaky: 0 };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const state = { backendDone: 0, clientResumed: 0 };

  before(async () => {
    echo = http.createServer((req, res) => {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length)).on('end', () => {
        res.setHeader('keep-alive', 'timeout=5');
        res.setHeader('proxy-authenticate', 'Basic');
        res.setHeader('x-app', 'yes');
        res.end(JSON.stringify({ headers: req.headers, bytes: n }));
      });
    });
    echo.on('connection', () => conns.echo++);
    // Answers the first request of each connection; drops the connection on the second one
    // without answering, as an upstream that closed an idle keep-alive socket.
    flaky = net.createServer((s) => {
      conns.flaky++;
      let seen = 0;
      s.on('data', () => {
        if (++seen > 1) return void s.destroy();
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      });
    });
    // Streams 64 MiB honouring backpressure (more than loopback socket buffers take), or reads a request body slowly.
    big = http.createServer((req, res) => {
      if (req.method === 'POST') {
        req.pause();
        setTimeout(() => {
          state.backendDone = performance.now();
          let n = 0;
          req.on('data', (d: Buffer) => (n += d.length)).on('end', () => res.end(String(n)));
          req.resume();
        }, 300);
        return;
      }
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let left = 1024;
      res.writeHead(200, { 'content-length': left * chunk.length });
      const pump = () => {
        while (left > 0) {
          left--;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        state.backendDone = performance.now();
        res.end();
      };
      pump();
    });
    const ports = await Promise.all([listen(echo), listen(flaky), listen(big)]);
    ups.set('echo', [{ host: '127.0.0.1', port: ports[0]! }]);
    ups.set('flaky', [{ host: '127.0.0.1', port: ports[1]! }]);
    ups.set('big', [{ host: '127.0.0.1', port: ports[2]! }]);
    const ctx = { table: () => table, endpoints: { pick: (b: ServiceBackend) => ups.get(b.service) ?? [] }, metrics: new IngressMetrics(), pool };
    proxy = new Http1Server('http', ingressHandler(ctx, 'http'), undefined);
    port = await listen(proxy.server);
  });
  after(async () => {
    agent.destroy();
    proxy.closeAll();
    pool.destroy();
    echo.closeAllConnections();
    big.closeAllConnections();
    await Promise.all([proxy.server, echo, flaky, big].map((s) => new Promise((r) => s.close(r))));
  });

  const request = (path: string, headers: http.OutgoingHttpHeaders = {}, body?: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method: body ? 'POST' : 'GET', headers: { host: 'any.test', ...headers }, agent }, (res) => {
        let b = '';
        res.setEncoding('utf8').on('data', (d: string) => (b += d)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: b }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('reuses one keep-alive upstream connection for sequential requests', async () => {
    const before_ = conns.echo;
    for (let i = 0; i < 10; i++) assert.equal((await request('/echo')).status, 200);
    assert.equal(conns.echo - before_, 1);
    assert.equal(pool.idleCount(ups.get('echo')!.map((u) => `${u.host}:${u.port}`)[0]), 1);
  });

  it('sets the forwarded headers and drops hop-by-hop ones both ways', async () => {
    const r = await request('/echo', { 'x-forwarded-for': '10.0.0.1', 'x-real-ip': '6.6.6.6', te: 'trailers', 'proxy-authorization': 'Basic x', 'keep-alive': 'timeout=1', 'x-custom': 'kept' });
    const seen = (JSON.parse(r.body) as { headers: Record<string, string> }).headers;
    assert.equal(seen['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(seen['x-real-ip'], '127.0.0.1');
    assert.equal(seen['x-forwarded-host'], 'any.test');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-custom'], 'kept');
    for (const h of ['te', 'proxy-authorization', 'keep-alive']) assert.equal(seen[h], undefined, h);
    assert.equal(r.headers['x-app'], 'yes');
    assert.equal(r.headers['keep-alive'], undefined);
    assert.equal(r.headers['proxy-authenticate'], undefined);
  });

  it('retries on a fresh connection when a reused idle socket was closed by the upstream', async () => {
    const before_ = conns.flaky;
    assert.deepEqual([(await request('/flaky')).body, (await request('/flaky')).body, (await request('/flaky')).body], ['ok', 'ok', 'ok']);
    assert.equal(conns.flaky - before_, 3, 'each reused socket failed once and was replaced');
  });

  it('drops idle sockets the upstream closed', async () => {
    const key = `127.0.0.1:${ups.get('echo')![0]!.port}`;
    await request('/echo');
    assert.equal(pool.idleCount(key), 1);
    echo.closeIdleConnections();
    const deadline = Date.now() + 3000;
    while (pool.idleCount(key) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(pool.idleCount(key), 0);
    assert.equal((await request('/echo')).status, 200);
  });

  it('streams a large response with backpressure (the upstream waits for a slow client)', async () => {
    const got = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/big', headers: { host: 'any.test' }, agent }, (res) => {
        let n = 0;
        res.once('data', (d: Buffer) => {
          n += d.length;
          res.pause();
          setTimeout(() => {
            state.clientResumed = performance.now();
            res.on('data', (x: Buffer) => (n += x.length)).on('end', () => resolve(n));
            res.resume();
          }, 300);
        });
      }).on('error', reject);
    });
    assert.equal(got, 64 * 1024 * 1024);
    assert.ok(state.backendDone > state.clientResumed, 'the backend could not finish while the client was paused');
  });

  it('streams a large request body with backpressure (the client waits for a slow upstream)', async () => {
    let clientDone = 0;
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/big', method: 'POST', headers: { host: 'any.test', 'transfer-encoding': 'chunked' }, agent }, (res) => {
        let b = '';
        res.setEncoding('utf8').on('data', (d: string) => (b += d)).on('end', () => resolve(b));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024, 'y');
      let left = 1024;
      const pump = () => {
        while (left > 0) {
          left--;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        clientDone = performance.now();
        req.end();
      };
      pump();
    });
    assert.equal(body, String(64 * 1024 * 1024));
    assert.ok(clientDone > state.backendDone, 'the client could not finish sending while the upstream did not read');
  });
});

describe('ingress proxy timeouts', () => {
  const pool = new UpstreamPool({ timeoutMs: 200 });
  let silent: net.Server;
  let proxy: Http1Server;
  let port: number;
  const held: net.Socket[] = [];

  before(async () => {
    // Accepts and reads, never answers.
    silent = net.createServer((s) => void held.push(s.on('data', () => undefined)));
    const up = { host: '127.0.0.1', port: await listen(silent) };
    const table = new RouteTable([{ metadata: { name: 't', namespace: 'default', annotations: {} }, spec: { defaultBackend: { service: { name: 'silent', port: { number: 80 } } } } } as Ingress & KubeObject]);
    proxy = new Http1Server('http', ingressHandler({ table: () => table, endpoints: { pick: () => [up] }, metrics: new IngressMetrics(), pool }, 'http'), undefined, { clientTimeoutMs: 300 });
    port = await listen(proxy.server);
  });
  after(async () => {
    proxy.closeAll();
    pool.destroy();
    for (const s of held) s.destroy();
    await Promise.all([proxy.server, silent].map((s) => new Promise((r) => s.close(r))));
  });

  it('answers 504 when the upstream sends nothing within the timeout', async () => {
    const t0 = performance.now();
    const status = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/', headers: { host: 'x.test' }, agent: false }, (res) => resolve(res.statusCode!)).on('error', reject);
    });
    assert.equal(status, 504);
    assert.ok(performance.now() - t0 >= 190);
  });

  it('closes an idle client connection after the client timeout', async () => {
    const s = net.connect(port, '127.0.0.1');
    const t0 = performance.now();
    await new Promise((r) => s.once('close', r));
    assert.ok(performance.now() - t0 >= 250);
  });
});
