import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type AddressInfo } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { Registry } from 'prom-client';
import { createLogger } from '../../util/log.ts';
import type { ProxyBackend, ProxyEndpoint, ProxyServicePort, ProxyTable } from '../model.ts';
import { createUserspaceBackend } from './backend.ts';

const logger = createLogger({}, { level: 'error' });

/** A TCP server answering every connection with its name and then echoing. */
async function tcpNamed(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.write(`${name}\n`);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

async function udpNamed(name: string): Promise<{ socket: UdpSocket; port: number }> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, r) => socket.send(`${name}:${msg}`, r.port, r.address));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { socket, port: socket.address().port };
}

/** Connects, sends `msg`, half-closes, and returns everything the server sent back. */
function tcpCall(host: string, port: number, msg = 'ping'): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, allowHalfOpen: true });
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('connect', () => s.end(msg));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

function udpCall(host: string, port: number, msg: string, sock?: UdpSocket): Promise<string> {
  const s = sock ?? createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no UDP answer')), 2000);
    s.once('message', (m) => {
      clearTimeout(timer);
      if (!sock) s.close();
      resolve(String(m));
    });
    s.send(msg, port, host);
  });
}

const ep = (port: number, over: Partial<ProxyEndpoint> = {}): ProxyEndpoint => ({ ip: '127.0.0.1', port, ready: true, serving: true, terminating: false, local: true, ...over });

function servicePort(over: Partial<ProxyServicePort>): ProxyServicePort {
  return {
    id: 'demo/web:http',
    namespace: 'demo',
    name: 'web',
    portName: 'http',
    protocol: 'TCP',
    clusterIPs: [],
    port: 80,
    externalIPs: [],
    loadBalancerIPs: [],
    externalPolicyLocal: false,
    internalPolicyLocal: false,
    clusterEndpoints: [],
    externalEndpoints: [],
    ...over,
  };
}

/** A free port on 127.0.0.1 (listen on 0, read it, close). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('userspace proxy backend', () => {
  const backends: { server: Server; port: number }[] = [];
  const udps: { socket: UdpSocket; port: number }[] = [];
  let proxy: ProxyBackend;
  let registry: Registry;
  let nodePort: number;
  const clusterIP = '127.43.0.10';
  let clusterPort: number;
  const table = (sp: Partial<ProxyServicePort>[]): ProxyTable => ({ nodeName: 'n1', nodeIPs: ['127.0.0.1'], services: sp.map(servicePort) });

  before(async () => {
    for (const n of ['a', 'b', 'c']) backends.push(await tcpNamed(n));
    for (const n of ['ua', 'ub']) udps.push(await udpNamed(n));
    nodePort = await freePort();
    clusterPort = await freePort();
    registry = new Registry();
    proxy = createUserspaceBackend({ logger, registry, connectTimeoutMs: 500, udpIdleTimeoutMs: 200 });
  });
  after(async () => {
    await proxy.close();
    for (const b of backends) await new Promise<void>((r) => b.server.close(() => r()));
    for (const u of udps) u.socket.close();
  });

  const all = () => backends.map((b) => ep(b.port));

  it('spreads connections on the NodePort and the loopback ClusterIP', async () => {
    await proxy.sync(table([{ clusterIPs: [clusterIP, '10.43.0.99'], port: clusterPort, nodePort, clusterEndpoints: all(), externalEndpoints: all() }]));
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const out = await tcpCall('127.0.0.1', nodePort, `m${i}`);
      assert.match(out, new RegExp(`^[abc]\\nm${i}$`), 'answer and echo after half-close');
      seen.add(out[0]!);
    }
    assert.deepEqual([...seen].sort(), ['a', 'b', 'c']);
    const viaCluster = new Set<string>();
    for (let i = 0; i < 3; i++) viaCluster.add((await tcpCall(clusterIP, clusterPort))[0]!);
    assert.equal(viaCluster.size, 3);
    const metrics = await registry.getSingleMetricAsString('skiff_proxy_userspace_connections_total');
    assert.match(metrics, /service="demo\/web:http"} 9/);
  });

  it('keeps a client on one endpoint with ClientIP affinity', async () => {
    await proxy.sync(table([{ clusterIPs: [clusterIP], port: clusterPort, nodePort, sessionAffinity: { timeoutSeconds: 60 }, clusterEndpoints: all(), externalEndpoints: all() }]));
    const got = new Set<string>();
    for (let i = 0; i < 5; i++) got.add((await tcpCall('127.0.0.1', nodePort))[0]!);
    assert.equal(got.size, 1);
  });

  it('fails over to the next endpoint when a connect is refused', async () => {
    const dead = await freePort();
    await proxy.sync(table([{ port: clusterPort, nodePort, externalEndpoints: [ep(dead), ep(backends[1]!.port)] }]));
    for (let i = 0; i < 4; i++) assert.equal((await tcpCall('127.0.0.1', nodePort))[0], 'b');
    const errors = await registry.getSingleMetricAsString('skiff_proxy_userspace_errors_total');
    assert.match(errors, /reason="connect-failed"/);
  });

  it('resets connections at once when there are no endpoints', async () => {
    await proxy.sync(table([{ port: clusterPort, nodePort, externalEndpoints: [ep(backends[0]!.port, { ready: false, serving: false })] }]));
    const started = Date.now();
    await assert.rejects(tcpCall('127.0.0.1', nodePort), /ECONNRESET/);
    assert.ok(Date.now() - started < 1000);
  });

  it('diffs listeners: kept sockets get new endpoints, removed ports stop listening', async () => {
    const port2 = await freePort();
    await proxy.sync(table([{ port: clusterPort, nodePort, externalEndpoints: [ep(backends[0]!.port)] }]));
    const open = connect({ host: '127.0.0.1', port: nodePort });
    const firstLine = await new Promise<string>((r) => open.once('data', (d) => r(String(d))));
    assert.equal(firstLine, 'a\n');
    await proxy.sync(
      table([
        { port: clusterPort, nodePort, externalEndpoints: [ep(backends[2]!.port)] },
        { id: 'demo/other:', name: 'other', portName: '', port: 81, nodePort: port2, externalEndpoints: [ep(backends[1]!.port)] },
      ]),
    );
    assert.equal((await tcpCall('127.0.0.1', nodePort))[0], 'c', 'new endpoints at once');
    assert.equal((await tcpCall('127.0.0.1', port2))[0], 'b');
    // The connection made before the sync survives it: the socket was kept.
    open.write('still');
    assert.equal(await new Promise<string>((r) => open.once('data', (d) => r(String(d)))), 'still');
    open.destroy();
    await proxy.sync(table([{ id: 'demo/other:', name: 'other', portName: '', port: 81, nodePort: port2, externalEndpoints: [ep(backends[1]!.port)] }]));
    await assert.rejects(tcpCall('127.0.0.1', nodePort), /ECONNREFUSED/);
  });

  it('serves local load-balancer IPs with the external endpoints; close() stops every listener', async () => {
    // A second backend on the same registry reuses its metrics.
    const other = createUserspaceBackend({ logger, registry });
    const lbPort = await freePort();
    try {
      await other.sync(table([{ id: 'demo/lb:', name: 'lb', portName: '', port: lbPort, loadBalancerIPs: ['127.0.0.2'], externalIPs: ['192.0.2.1'], clusterEndpoints: [ep(backends[0]!.port)], externalEndpoints: [ep(backends[2]!.port)] }]));
      assert.equal((await tcpCall('127.0.0.2', lbPort))[0], 'c');
    } finally {
      await other.close();
    }
    await assert.rejects(tcpCall('127.0.0.2', lbPort), /ECONNREFUSED/);
  });

  it('forwards UDP per client session', async () => {
    const udpPort = await freePort();
    await proxy.sync(table([{ id: 'demo/dns:dns', name: 'dns', portName: 'dns', protocol: 'UDP', clusterIPs: [clusterIP], port: udpPort, clusterEndpoints: udps.map((u) => ep(u.port)) }]));
    const c1 = createSocket('udp4');
    const c2 = createSocket('udp4');
    try {
      const first = await udpCall(clusterIP, udpPort, 'x', c1);
      assert.match(first, /^u[ab]:x$/);
      // The same client stays on its session's endpoint; another client gets the next one.
      assert.equal((await udpCall(clusterIP, udpPort, 'y', c1)).split(':')[0], first.split(':')[0]);
      const other = await udpCall(clusterIP, udpPort, 'z', c2);
      assert.notEqual(other.split(':')[0], first.split(':')[0]);
    } finally {
      c1.close();
      c2.close();
    }
    // Idle sessions expire (udpIdleTimeoutMs 200): the active gauge for the port drops to 0.
    const deadline = Date.now() + 5000;
    const active = async () => (await registry.getSingleMetric('skiff_proxy_userspace_active_connections')!.get()).values.find((v) => v.labels.service === 'demo/dns:dns')?.value;
    assert.equal(await active(), 2);
    while ((await active()) !== 0) {
      assert.ok(Date.now() < deadline, 'UDP sessions did not expire');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});
