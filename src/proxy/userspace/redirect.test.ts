/**
 * The userspace backend with the ClusterIP redirect, without root: the nft runner records the
 * scripts it would apply, the "bridge" address is 127.0.0.1, and a test connects to the proxy
 * port a rule names, as a DNATed pod connection would arrive.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { Registry } from 'prom-client';
import { createLogger } from '../../util/log.ts';
import type { ProxyBackend, ProxyEndpoint, ProxyServicePort, ProxyTable } from '../model.ts';
import { createUserspaceBackend } from './backend.ts';

const logger = createLogger({}, { level: 'error' });

async function tcpNamed(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => s.end(`${name}\n`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

function tcpCall(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out.trim()));
    s.on('error', reject);
  });
}

async function poll<T>(fn: () => T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ep = (port: number): ProxyEndpoint => ({ ip: '127.0.0.1', port, ready: true, serving: true, terminating: false, local: true });
const sp = (over: Partial<ProxyServicePort>): ProxyServicePort => ({
  id: 'demo/web:http', namespace: 'demo', name: 'web', portName: 'http', protocol: 'TCP', clusterIPs: ['10.43.0.20'], port: 80,
  externalIPs: [], loadBalancerIPs: [], externalPolicyLocal: false, internalPolicyLocal: false, clusterEndpoints: [], externalEndpoints: [], ...over,
});
const table = (services: ProxyServicePort[]): ProxyTable => ({ nodeName: 'n1', nodeIPs: [], services });

/** The proxy port the last script DNATs clusterIP/proto/port to. */
function proxyPortIn(script: string | undefined, clusterIP: string, proto: string, port: number): number | undefined {
  const m = new RegExp(`ip daddr ${clusterIP.replace(/\./g, '\\.')} ${proto} dport ${port} dnat to 127\\.0\\.0\\.1:(\\d+)`).exec(script ?? '');
  return m ? Number(m[1]) : undefined;
}

describe('userspace backend: ClusterIP redirect', () => {
  const scripts: string[] = [];
  let gateway: string | undefined;
  let proxy: ProxyBackend;
  let registry: Registry;
  const servers: { server: Server; port: number }[] = [];
  let dns: { socket: UdpSocket; port: number };
  const lastScript = () => scripts[scripts.length - 1];

  before(async () => {
    for (const n of ['a', 'b']) servers.push(await tcpNamed(n));
    const socket = createSocket('udp4');
    socket.on('message', (m, r) => socket.send(`dns:${m}`, r.port, r.address));
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    dns = { socket, port: socket.address().port };
    registry = new Registry();
    proxy = createUserspaceBackend({
      logger, registry,
      isLocal: (ip) => ip.startsWith('127.'),
      redirect: { bridge: 'sktest0', gateway: () => gateway, nft: async (s) => void scripts.push(s), retryMs: 30 },
    });
  });
  after(async () => {
    await proxy.close();
    for (const s of servers) await new Promise<void>((r) => s.server.close(() => r()));
    dns.socket.close();
  });

  const web = () => sp({ clusterEndpoints: servers.map((s) => ep(s.port)), sessionAffinity: undefined });
  const kubeDns = () => sp({ id: 'kube-system/kube-dns:dns', namespace: 'kube-system', name: 'kube-dns', portName: 'dns', protocol: 'UDP', clusterIPs: ['10.43.0.10'], port: 53, clusterEndpoints: [ep(dns.port)] });

  it('waits for the bridge address without failing, then listens on it and programs the rules', async () => {
    gateway = undefined;
    await proxy.sync(table([web(), kubeDns()]));
    assert.equal(scripts.length, 0, 'no rules without a gateway');
    gateway = '127.0.0.1';
    const script = await poll(() => lastScript(), 2000, 'rules after the bridge got its address');
    assert.match(script, /^table ip skiff_svc_redirect_sktest0 \{$/m);
    assert.ok(proxyPortIn(script, '10.43.0.20', 'tcp', 80));
    assert.ok(proxyPortIn(script, '10.43.0.10', 'udp', 53));
    assert.match(await registry.getSingleMetricAsString('skiff_proxy_userspace_redirect_rules'), / 2$/m);
  });

  it('balances redirected TCP over the endpoints and relays UDP', async () => {
    const port = proxyPortIn(lastScript(), '10.43.0.20', 'tcp', 80)!;
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(await tcpCall(port));
    assert.deepEqual([...seen].sort(), ['a', 'b']);
    const udpPort = proxyPortIn(lastScript(), '10.43.0.10', 'udp', 53)!;
    const c = createSocket('udp4');
    const reply = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no UDP answer')), 2000);
      c.once('message', (m) => (clearTimeout(t), resolve(String(m))));
      c.send('q', udpPort, '127.0.0.1');
    }).finally(() => c.close());
    assert.equal(reply, 'dns:q');
    assert.match(await registry.getSingleMetricAsString('skiff_proxy_userspace_connections_total'), /service="demo\/web:http"\} [4-9]/);
  });

  it('keeps ClientIP affinity by the client address the redirect preserves', async () => {
    await proxy.sync(table([{ ...web(), sessionAffinity: { timeoutSeconds: 60 } }, kubeDns()]));
    const port = proxyPortIn(lastScript(), '10.43.0.20', 'tcp', 80)!;
    const first = await tcpCall(port);
    for (let i = 0; i < 4; i++) assert.equal(await tcpCall(port), first);
  });

  it('runs no nft for endpoint-only changes; new endpoints apply at once', async () => {
    const n = scripts.length;
    await proxy.sync(table([sp({ clusterEndpoints: [ep(servers[1]!.port)] }), kubeDns()]));
    assert.equal(scripts.length, n);
    const port = proxyPortIn(lastScript(), '10.43.0.20', 'tcp', 80)!;
    for (let i = 0; i < 3; i++) assert.equal(await tcpCall(port), 'b');
  });

  it('drops the rule and closes the listener when the service port goes', async () => {
    const port = proxyPortIn(lastScript(), '10.43.0.20', 'tcp', 80)!;
    await proxy.sync(table([kubeDns()]));
    assert.equal(proxyPortIn(lastScript(), '10.43.0.20', 'tcp', 80), undefined);
    assert.ok(proxyPortIn(lastScript(), '10.43.0.10', 'udp', 53));
    await assert.rejects(tcpCall(port), /ECONNREFUSED/);
  });

  it('does not redirect a ClusterIP it can bind (loopback service CIDR)', async () => {
    await proxy.sync(table([kubeDns(), sp({ id: 'demo/lo:http', clusterIPs: ['127.43.0.77'], clusterEndpoints: [ep(servers[0]!.port)] })]));
    assert.doesNotMatch(lastScript()!, /127\.43\.0\.77/);
  });

  it('deletes its table on close', async () => {
    await proxy.close();
    assert.equal(lastScript(), 'add table ip skiff_svc_redirect_sktest0\ndelete table ip skiff_svc_redirect_sktest0\n');
  });
});
