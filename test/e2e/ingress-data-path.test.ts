/**
 * Acceptance for the ingress's HTTP/1.1 data path through a real `skiff server` (proxying in
 * its worker processes) to a `process`-runtime pod: a WebSocket-style `Upgrade` is spliced both
 * ways after the 101; pipelined requests on one connection are answered in order, chunked
 * bodies and trailers included; a request smuggling attempt gets 400 and the connection closed,
 * and never reaches the pod; an 8 MiB upload and download pass intact.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const node = 'ingdp-node';
const port = 21000 + Math.floor(Math.random() * 20000);

// The pod: echoes method, url, body size and trailers as JSON (counting requests), streams
// /big, and echoes bytes after an `Upgrade: echo`.
const backend = `
let seen = 0;
const srv = require('node:http').createServer((q, s) => {
  seen++;
  if (q.url.startsWith('/big')) { s.writeHead(200, { 'content-length': 8 << 20 }); return s.end(Buffer.alloc(8 << 20, 'b')); }
  let n = 0;
  q.on('data', (d) => (n += d.length)).on('end', () => s.end(JSON.stringify({ method: q.method, url: q.url, bytes: n, trailers: q.trailers, seen, xfp: q.headers['x-forwarded-proto'] })));
});
srv.on('upgrade', (q, sock) => { sock.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\n\\r\\n'); sock.pipe(sock); });
srv.listen(Number(process.env.PORT), '127.0.0.1');`;

describe('the ingress HTTP/1.1 data path end to end', { skip: !haveKubectl && 'kubectl is not installed' }, () => {
  let cluster: TestCluster;
  let ingressPort: number;
  const apply = (o: object) => cluster.kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(o) });

  /** Writes `wire` on a fresh connection; resolves with everything read until the proxy closes or `until` matches. */
  const raw = (wire: string, until: (got: string) => boolean) =>
    new Promise<{ got: string; closed: boolean }>((resolve, reject) => {
      const s = net.connect(ingressPort, '127.0.0.1');
      let got = '';
      const timer = setTimeout(() => (s.destroy(), reject(new Error(`no complete answer: ${got}`))), 10_000);
      s.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        if (until(got)) (clearTimeout(timer), s.destroy(), resolve({ got, closed: false }));
      });
      s.on('close', () => (clearTimeout(timer), resolve({ got, closed: true })));
      s.on('error', reject);
      s.write(wire);
    });

  before(async () => {
    cluster = await startCluster({ server: { disableAgent: false, runtime: 'process', nodeName: node, ingressHttpPort: 0, ingressHttpsPort: -1 }, agentOptions: { resyncMs: 1000, relistMs: 250 } });
    ingressPort = cluster.server.ingress.httpPort!;
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo', labels: { app: 'echo' } },
      spec: { nodeName: node, terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: 'node', command: [process.execPath, '-e', backend], env: [{ name: 'PORT', value: String(port) }], ports: [{ name: 'http', containerPort: port }], readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 1 } }] },
    });
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { selector: { app: 'echo' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    await apply({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'echo' }, spec: { rules: [{ host: 'echo.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'echo', port: { number: 80 } } } }] } }] } });
    await eventually(async () => (await raw('GET /ready HTTP/1.1\r\nHost: echo.test\r\nConnection: close\r\n\r\n', () => false)).got.startsWith('HTTP/1.1 200'), 60_000, 'the ingress routes to the pod');
  });
  after(async () => {
    await cluster?.stop();
  });

  it('splices an Upgrade after the 101', async () => {
    const { got } = await raw('GET /ws HTTP/1.1\r\nHost: echo.test\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhello through the tunnel', (g) => g.endsWith('hello through the tunnel'));
    assert.match(got, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(got, /\r\nUpgrade: echo\r\n/i);
  });

  it('answers pipelined requests in order, with chunked bodies and trailers', async () => {
    const wire = 'GET /1 HTTP/1.1\r\nHost: echo.test\r\n\r\n' + 'POST /2 HTTP/1.1\r\nHost: echo.test\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nabcd\r\n0\r\nX-Check: ok\r\n\r\n' + 'PUT /3 HTTP/1.1\r\nHost: echo.test\r\nContent-Length: 3\r\nConnection: close\r\n\r\nxyz';
    const { got, closed } = await raw(wire, () => false);
    assert.equal(closed, true, 'closed after the request that asked for it');
    const bodies = [...got.matchAll(/\{[^}]*\{[^}]*\}[^}]*\}/g)].map((m) => JSON.parse(m[0]) as { method: string; url: string; bytes: number; trailers: Record<string, string> });
    assert.deepEqual(bodies.map((b) => [b.method, b.url, b.bytes]), [['GET', '/1', 0], ['POST', '/2', 4], ['PUT', '/3', 3]]);
    assert.deepEqual(bodies[1]!.trailers, { 'x-check': 'ok' });
  });

  it('rejects a smuggling attempt with 400 and closes, without reaching the pod', async () => {
    const seenBefore = (JSON.parse((await raw('GET /n HTTP/1.1\r\nHost: echo.test\r\nConnection: close\r\n\r\n', () => false)).got.split('\r\n\r\n')[1]!) as { seen: number }).seen;
    const attack = 'POST / HTTP/1.1\r\nHost: echo.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: echo.test\r\n\r\n';
    const { got, closed } = await raw(attack, () => false);
    assert.match(got, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(got, /\r\nConnection: close\r\n/);
    assert.equal(closed, true);
    const after_ = JSON.parse((await raw('GET /n HTTP/1.1\r\nHost: echo.test\r\nConnection: close\r\n\r\n', () => false)).got.split('\r\n\r\n')[1]!) as { seen: number };
    assert.equal(after_.seen, seenBefore + 1, 'only our own probe reached the pod');
  });

  it('carries an 8 MiB upload and download intact over keep-alive', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const up = await new Promise<{ bytes: number }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: ingressPort, path: '/up', method: 'POST', headers: { host: 'echo.test' }, agent }, (res) => {
          let b = '';
          res.setEncoding('utf8').on('data', (d: string) => (b += d)).on('end', () => resolve(JSON.parse(b)));
        });
        req.on('error', reject);
        req.end(Buffer.alloc(8 << 20, 'u'));
      });
      assert.equal(up.bytes, 8 << 20);
      const down = await new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: ingressPort, path: '/big', headers: { host: 'echo.test' }, agent }, (res) => {
          let n = 0;
          res.on('data', (d: Buffer) => (n += d.length)).on('end', () => resolve(n));
        }).on('error', reject);
      });
      assert.equal(down, 8 << 20);
    } finally {
      agent.destroy();
    }
  });

  // Last: afterwards this server proxies in its own process.
  it('keeps answering after every worker process died (the server takes the port back)', async () => {
    const workers = ingressWorkerPids();
    assert.ok(workers.length > 0, 'the server runs ingress worker processes');
    for (const pid of workers) process.kill(pid, 'SIGKILL');
    await eventually(async () => ingressWorkerPids().length === 0, 10_000, 'the workers are gone');
    await eventually(async () => (await raw('GET /again HTTP/1.1\r\nHost: echo.test\r\nConnection: close\r\n\r\n', () => false).catch(() => ({ got: '' }))).got.startsWith('HTTP/1.1 200'), 15_000, 'the ingress answers from the server process');
  });
});

/** This process's ingress worker children (forked with the `__ingress-worker` argument). */
function ingressWorkerPids(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('__ingress-worker')) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}
