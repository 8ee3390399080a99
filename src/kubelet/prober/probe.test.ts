import assert from 'node:assert/strict';
import { createServer as createH2 } from 'node:http2';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import type { Container } from 'kubernetes-types/core/v1.js';
import type { Runtime } from '../runtime/interface.ts';
import { runProbe } from './probe.ts';

const http = createServer((req, res) => {
  res.statusCode = req.url === '/healthz' ? 200 : 500;
  res.end(req.headers['user-agent']);
});
let healthStatus = 1;
const grpc = createH2();
grpc.on('stream', (stream) => {
  stream.on('data', () => {});
  stream.on('end', () => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(Buffer.from([0, 0, 0, 0, 2, 0x08, healthStatus]));
  });
});
let httpPort = 0;
let grpcPort = 0;
before(async () => {
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => grpc.listen(0, '127.0.0.1', r));
  httpPort = (http.address() as AddressInfo).port;
  grpcPort = (grpc.address() as AddressInfo).port;
});
after(() => {
  http.close();
  grpc.close();
});

const container: Container = { name: 'c', ports: [{ name: 'web', containerPort: 0 }] };
const target = (port: number) => ({ runtime: {} as Runtime, containerId: 'x', container: { ...container, ports: [{ name: 'web', containerPort: port }] }, podIP: '127.0.0.1' });

it('httpGet succeeds on 2xx, fails with upstream messages otherwise, and resolves named ports', async () => {
  const ok = await runProbe({ httpGet: { path: '/healthz', port: 'web' } }, target(httpPort));
  assert.deepEqual(ok, { ok: true, output: 'kube-probe/1.32' });
  const bad = await runProbe({ httpGet: { path: '/other', port: httpPort } }, target(httpPort));
  assert.deepEqual(bad, { ok: false, output: 'HTTP probe failed with statuscode: 500' });
  const refused = await runProbe({ httpGet: { path: '/', port: 1 } }, target(httpPort));
  assert.equal(refused.ok, false);
  assert.match(refused.output, /^Get "http:\/\/127\.0\.0\.1:1\/": /);
});

it('tcpSocket succeeds when something listens', async () => {
  assert.equal((await runProbe({ tcpSocket: { port: httpPort } }, target(httpPort))).ok, true);
  const r = await runProbe({ tcpSocket: { port: 1 } }, target(httpPort));
  assert.equal(r.ok, false);
  assert.match(r.output, /^dial tcp 127\.0\.0\.1:1: /);
});

it('grpc speaks the health protocol', async () => {
  healthStatus = 1;
  assert.deepEqual(await runProbe({ grpc: { port: grpcPort } }, target(grpcPort)), { ok: true, output: '' });
  healthStatus = 2;
  assert.deepEqual(await runProbe({ grpc: { port: grpcPort } }, target(grpcPort)), { ok: false, output: 'service unhealthy (responded with "NOT_SERVING")' });
});
