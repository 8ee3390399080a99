import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { IngressMetrics } from '../metrics.ts';
import { ingressHandler } from '../proxy.ts';
import { RouteTable } from '../router.ts';
import { BodyReader, responseBody } from './framing.ts';
import { field, headEnd, parseResponseHead } from './head.ts';
import { UpstreamPool } from './pool.ts';
import { Http1Server } from './server.ts';

const listen = (srv: net.Server) => new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as AddressInfo).port)));
const tick = () => new Promise((r) => setTimeout(r, 5)); // lets each write leave as its own segment

interface Res {
  status: number;
  headers: string[];
  body: string;
}

/** A raw client: writes `parts`, reads until `count` responses (to `method`s) or the close. */
async function raw(port: number, parts: (string | Buffer)[], opts: { count?: number; methods?: string[] } = {}): Promise<{ responses: Res[]; closed: boolean }> {
  const s = net.connect(port, '127.0.0.1');
  s.setNoDelay(true);
  await new Promise((r) => s.once('connect', r));
  const responses: Res[] = [];
  let buf = Buffer.alloc(0);
  let closed = false;
  const want = opts.count ?? 1;
  const done = new Promise<void>((resolve, reject) => {
    let cur: { status: number; headers: string[]; reader: BodyReader; body: string } | undefined;
    const timer = setTimeout(() => reject(new Error(`timeout; got ${JSON.stringify(responses)} + ${buf.toString('latin1')}`)), 5000);
    const parse = () => {
      for (;;) {
        if (!cur) {
          const end = headEnd(buf);
          if (end < 0) return;
          const h = parseResponseHead(buf, end);
          buf = buf.subarray(end);
          if (h.status < 200) {
            responses.push({ status: h.status, headers: h.headers, body: '' });
            continue;
          }
          cur = { status: h.status, headers: h.headers, reader: new BodyReader(responseBody(opts.methods?.[responses.filter((r) => r.status >= 200).length] ?? 'GET', h), 502), body: '' };
        }
        const c = cur;
        const n = c.reader.take(buf, (p) => (c.body += p.toString('latin1')));
        buf = buf.subarray(n);
        if (!c.reader.done) return;
        responses.push({ status: c.status, headers: c.headers, body: c.body });
        cur = undefined;
        if (responses.filter((r) => r.status >= 200).length >= want) {
          clearTimeout(timer);
          return resolve();
        }
      }
    };
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      parse();
    });
    s.on('close', () => {
      closed = true;
      if (cur?.reader.closed()) {
        responses.push({ status: cur.status, headers: cur.headers, body: cur.body });
        cur = undefined;
      }
      clearTimeout(timer);
      resolve();
    });
  });
  for (const p of parts) {
    s.write(p);
    await tick();
  }
  await done;
  // Whether the proxy closes the connection right after (a keep-alive one stays open).
  await new Promise<void>((r) => {
    if (closed) return r();
    const t = setTimeout(() => r(), 100);
    s.once('close', () => ((closed = true), clearTimeout(t), r()));
  });
  s.destroy();
  return { responses, closed };
}

describe('http1 data path on the wire', () => {
  let backend: http.Server;
  let rawBackend: net.Server;
  let proxy: Http1Server;
  let port: number;
  const pool = new UpstreamPool();
  const seen: string[] = [];
  const ports: Record<string, number> = {};
  const be = (name: string) => ({ service: { name, port: { number: 80 } } });
  const table = new RouteTable([
    { metadata: { name: 'w', namespace: 'd', annotations: {} }, spec: { rules: [{ host: 'web.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: be('web') }] } }, { host: 'raw.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: be('raw') }] } }] } } as Ingress & KubeObject,
  ]);

  before(async () => {
    backend = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      let body = '';
      req.setEncoding('latin1').on('data', (d: string) => (body += d)).on('end', () => {
        const out = JSON.stringify({ method: req.method, url: req.url, body, trailers: req.trailers });
        const delay = req.url === '/slow' ? 50 : 0;
        setTimeout(() => res.writeHead(200, { 'content-length': req.method === 'HEAD' ? 1000 : Buffer.byteLength(out) }).end(req.method === 'HEAD' ? undefined : out), delay);
      });
    });
    backend.on('upgrade', (_req, sock: net.Socket, head: Buffer) => {
      sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
      if (head.length) sock.write(head);
      sock.pipe(sock);
    });
    ports.web = await listen(backend);
    // Answers without a length (close-delimited), or chunked with a trailer.
    rawBackend = net.createServer((s) => {
      s.on('data', (d: Buffer) => {
        if (d.toString().startsWith('GET /chunked')) s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n3;e=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: yes\r\n\r\n');
        else s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end');
      });
    });
    ports.raw = await listen(rawBackend);
    const ctx = { table: () => table, endpoints: { pick: (b: { service: string }) => [{ host: '127.0.0.1', port: ports[b.service]! }] }, metrics: new IngressMetrics(), pool };
    proxy = new Http1Server('http', ingressHandler(ctx, 'http'), undefined);
    port = await listen(proxy.server);
  });
  after(async () => {
    proxy.closeAll();
    pool.destroy();
    backend.closeAllConnections();
    await Promise.all([proxy.server, backend, rawBackend].map((s) => new Promise((r) => s.close(r))));
  });

  it('reads a head split across packets', async () => {
    const { responses, closed } = await raw(port, ['GE', 'T /split HT', 'TP/1.1\r\nHo', 'st: web.test\r', '\n', '\r\n']);
    assert.equal(responses[0]?.status, 200);
    assert.equal(JSON.parse(responses[0]!.body).url, '/split');
    assert.equal(closed, false, 'keep-alive');
  });

  it('answers pipelined requests strictly in order, bodies included', async () => {
    const reqs = 'GET /slow HTTP/1.1\r\nHost: web.test\r\n\r\nPOST /2 HTTP/1.1\r\nHost: web.test\r\nContent-Length: 5\r\n\r\nhelloPOST /3 HTTP/1.1\r\nHost: web.test\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\nGET /4 HTTP/1.1\r\nHost: nope.test\r\n\r\n';
    const { responses } = await raw(port, [reqs], { count: 4 });
    assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 404]);
    assert.deepEqual(responses.slice(0, 3).map((r) => JSON.parse(r.body)), [
      { method: 'GET', url: '/slow', body: '', trailers: {} },
      { method: 'POST', url: '/2', body: 'hello', trailers: {} },
      { method: 'POST', url: '/3', body: 'abc', trailers: { 'x-sum': '1' } },
    ]);
  });

  it('rejects smuggling shapes with 400 and Connection: close, never forwarding them', async () => {
    const before_ = seen.length;
    for (const h of ['Content-Length: 3\r\nTransfer-Encoding: chunked', 'Content-Length: 3\r\nContent-Length: 4', 'Transfer-Encoding: chunked, identity', 'Host: second.test']) {
      const { responses, closed } = await raw(port, [`POST /x HTTP/1.1\r\nHost: web.test\r\n${h}\r\n\r\nabc`]);
      assert.equal(responses[0]?.status, 400, h);
      assert.equal(field(responses[0]!.headers, 'connection'), 'close');
      assert.equal(closed, true);
    }
    const bad = await raw(port, ['POST /x HTTP/1.1\r\nHost: web.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n']);
    assert.deepEqual([bad.responses[0]?.status, bad.closed], [400, true], 'bad chunk size');
    assert.equal(seen.length, before_);
    const noHost = await raw(port, ['GET / HTTP/1.1\r\n\r\n']);
    assert.equal(noHost.responses[0]?.status, 400);
  });

  it('answers 431 for a head over 16 KiB', async () => {
    const { responses, closed } = await raw(port, [`GET / HTTP/1.1\r\nHost: web.test\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`]);
    assert.deepEqual([responses[0]?.status, closed], [431, true]);
  });

  it('relays a HEAD response with Content-Length but no body, then serves the next request', async () => {
    const { responses } = await raw(port, ['HEAD /h HTTP/1.1\r\nHost: web.test\r\n\r\nGET /after HTTP/1.1\r\nHost: web.test\r\n\r\n'], { count: 2, methods: ['HEAD', 'GET'] });
    assert.equal(field(responses[0]!.headers, 'content-length'), '1000');
    assert.equal(responses[0]!.body, '');
    assert.equal(JSON.parse(responses[1]!.body).url, '/after');
  });

  it('relays a close-delimited response and closes the client connection after it', async () => {
    const { responses, closed } = await raw(port, ['GET / HTTP/1.1\r\nHost: raw.test\r\n\r\n']);
    assert.deepEqual([responses[0]?.status, responses[0]?.body, closed], [200, 'until the end', true]);
    assert.equal(field(responses[0]!.headers, 'connection'), 'close');
  });

  it('forwards chunks and the trailer as they are; de-chunks for an HTTP/1.0 client', async () => {
    const r11 = await raw(port, ['GET /chunked HTTP/1.1\r\nHost: raw.test\r\n\r\n']);
    assert.deepEqual([r11.responses[0]?.body, field(r11.responses[0]!.headers, 'transfer-encoding')], ['abcde', 'chunked']);
    const r10 = await raw(port, ['GET /chunked HTTP/1.0\r\nHost: raw.test\r\n\r\n']);
    assert.deepEqual([r10.responses[0]?.body, field(r10.responses[0]!.headers, 'transfer-encoding'), r10.closed], ['abcde', undefined, true]);
  });

  it('closes after a response when the client asked with Connection: close or spoke HTTP/1.0', async () => {
    for (const req of ['GET / HTTP/1.1\r\nHost: web.test\r\nConnection: close\r\n\r\n', 'GET / HTTP/1.0\r\nHost: web.test\r\n\r\n']) {
      const { responses, closed } = await raw(port, [req]);
      assert.deepEqual([responses[0]?.status, closed], [200, true], req);
    }
  });

  it('forwards Expect: 100-continue and relays the 100 before the body is sent', async () => {
    // Without the body the final answer never comes; the 100 must, from the upstream.
    const s = net.connect(port, '127.0.0.1');
    const interim = await new Promise<string>((resolve) => {
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString()).includes('\r\n\r\n') && resolve(got));
      s.write('POST /c HTTP/1.1\r\nHost: web.test\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n');
    });
    s.destroy();
    assert.match(interim, /^HTTP\/1\.1 100 Continue\r\n/);
    const out = await new Promise<{ cont: boolean; body: string }>((resolve, reject) => {
      let cont = false;
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/c', headers: { host: 'web.test', expect: '100-continue', 'content-length': 4 }, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ cont, body }));
      });
      req.on('continue', () => ((cont = true), req.end('data')));
      req.on('error', reject);
    });
    assert.equal(out.cont, true);
    assert.equal(JSON.parse(out.body).body, 'data');
  });

  it('splices the two sockets after a 101 to an Upgrade request', async () => {
    const echoed = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/ws', headers: { host: 'web.test', connection: 'Upgrade', upgrade: 'echo' }, agent: false });
      req.on('upgrade', (res, sock: net.Socket, head: Buffer) => {
        assert.equal(res.statusCode, 101);
        let got = head.toString();
        sock.on('data', (d: Buffer) => {
          got += d.toString();
          if (got === 'ping pong') {
            sock.destroy();
            resolve(got);
          }
        });
        sock.write('ping ');
        setImmediate(() => sock.write('pong'));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(echoed, 'ping pong');
  });
});

describe('http1 data path over TLS', () => {
  let backend: http.Server;
  let proxy: Http1Server;
  let outer: net.Server;
  let port: number;
  let ca: { cert: string; key: string };
  const pool = new UpstreamPool();

  before(async () => {
    const { createCA, issueCert } = await import('../../pki/certs.ts');
    ca = await createCA('test-ca');
    const leaf = await issueCert(ca, { commonName: 'tls.test', usage: 'server', sans: ['tls.test'] });
    const { createSecureContext } = await import('node:tls');
    const ctx = createSecureContext(leaf);
    backend = http.createServer((req, res) => res.end(`${req.headers['x-forwarded-proto']} ${req.headers.host}`));
    const up = { host: '127.0.0.1', port: await listen(backend) };
    const table = new RouteTable([{ metadata: { name: 't', namespace: 'd', annotations: {} }, spec: { rules: [{ host: 'tls.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }] } } as Ingress & KubeObject]);
    proxy = new Http1Server('https', ingressHandler({ table: () => table, endpoints: { pick: () => [up] }, metrics: new IngressMetrics(), pool }, 'https'), { ...leaf, SNICallback: (name, cb) => cb(null, name === 'tls.test' ? ctx : undefined) });
    // Sockets accepted by another listener, as a worker gets them from its IPC handle.
    outer = net.createServer((s) => proxy.accept(s));
    port = await listen(outer);
  });
  after(async () => {
    proxy.closeAll();
    pool.destroy();
    backend.closeAllConnections();
    await Promise.all([outer, backend].map((s) => new Promise((r) => s.close(r))));
  });

  it('serves HTTPS by SNI on handed-over sockets, with X-Forwarded-Proto https, keep-alive', async () => {
    const { default: https } = await import('node:https');
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: ca.cert, servername: 'tls.test' });
    const sockets = new Set<unknown>();
    try {
      for (let i = 0; i < 3; i++) {
        const body = await new Promise<string>((resolve, reject) => {
          https.get({ host: '127.0.0.1', port, path: '/', headers: { host: 'tls.test' }, agent, servername: 'tls.test', ca: ca.cert }, (res) => {
            sockets.add(res.socket);
            let b = '';
            res.setEncoding('utf8').on('data', (d: string) => (b += d)).on('end', () => resolve(b));
          }).on('error', reject);
        });
        assert.equal(body, 'https tls.test');
      }
      assert.equal(sockets.size, 1, 'one TLS connection for all three');
    } finally {
      agent.destroy();
    }
  });
});
