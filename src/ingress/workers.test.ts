import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../api/object.ts';
import { silentLogger } from '../util/log.ts';
import { IngressMetrics } from './metrics.ts';
import { RouteTable } from './router.ts';
import { compileSnapshot, type Snapshot } from './snapshot.ts';
import { IngressWorkers } from './workers.ts';

const listen = (srv: http.Server) => new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as AddressInfo).port)));

function get(port: number, host: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/x', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

async function eventually(fn: () => Promise<void>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('ingress worker processes', () => {
  const ingresses: (Ingress & KubeObject)[] = [
    { metadata: { name: 'web', namespace: 'default', annotations: {} }, spec: { rules: [{ host: 'web.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } },
  ];
  const table = new RouteTable(ingresses);
  const cert = { cert: '', key: '' };
  let backend: http.Server;
  let listener: http.Server;
  let backendPort: number;
  let port: number;
  const metrics = new IngressMetrics();
  const workers = new IngressWorkers(2, metrics, silentLogger);
  const snap = (up: boolean): Snapshot => compileSnapshot(ingresses, table, () => (up ? [{ host: '127.0.0.1', port: backendPort }] : []), () => undefined, cert, undefined);

  before(async () => {
    backend = http.createServer((req, res) => res.end(`hello from ${req.headers['x-forwarded-host']}`));
    backendPort = await listen(backend);
    // The server's own listener: never answers, so a request it took would hang the test.
    listener = http.createServer(() => undefined);
    port = await listen(listener);
    await workers.start(snap(true), [{ proto: 'http', server: listener }]);
    listener.close();
  });
  after(async () => {
    await workers.stop();
    backend.close();
    backend.closeAllConnections();
  });

  it('proxies on the handed-over socket and replays the metrics into the registry', async () => {
    for (let i = 0; i < 10; i++) assert.deepEqual(await get(port, 'web.test'), { code: 200, body: 'hello from web.test' });
    assert.equal((await get(port, 'other.test')).code, 404);
    await eventually(async () => {
      const m = await metrics.requests.get();
      const count = (code: string) => m.values.find((v) => v.labels.code === code && v.labels.service === (code === '200' ? 'web' : ''))?.value;
      assert.equal(count('200'), 10);
      assert.equal(count('404'), 1);
    });
  });

  it('routes from the latest snapshot', async () => {
    workers.update(snap(false));
    await eventually(async () => assert.equal((await get(port, 'web.test')).code, 503));
    workers.update(snap(true));
    await eventually(async () => assert.equal((await get(port, 'web.test')).code, 200));
  });
});
