/**
 * The nftables proxy backend on a real kernel, inside network namespaces of its own: a "node"
 * netns with a bridge, two "pod" netns running busybox httpd and a client pod netns. The
 * backend runs its nft/ip commands in the node netns and is fed hand-built tables; nothing
 * on the host is touched (ip_forward is set only in the node netns).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createNftablesBackend } from '../../src/proxy/index.ts';
import type { ProxyBackend, ProxyEndpoint, ProxyServicePort, ProxyTable } from '../../src/proxy/model.ts';
import { silentLogger } from '../../src/util/log.ts';
import { runcSkipReason } from '../support/busybox-image.ts';
import { eventually } from '../support/kubectl.ts';

const run = promisify(execFile);
const onPath = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const skipReason = runcSkipReason() || (!onPath('nft') ? 'nft is not installed' : false) || (!onPath('busybox') ? 'busybox is not installed' : false);
if (skipReason) console.log(`# skipping service-proxy-nft: ${skipReason}`);

const id = process.pid;
const nodeNs = `skp-${id}`;
const pods = { a: { ns: `skp-${id}-a`, ip: '10.244.0.11' }, b: { ns: `skp-${id}-b`, ip: '10.244.0.12' }, c: { ns: `skp-${id}-c`, ip: '10.244.0.13' } };
const gateway = '10.244.0.1';
const bridge = 'skpbr0';
const tableName = `skp_${id}`;

const inNs = (ns: string, ...argv: string[]) => run('ip', ['netns', 'exec', ns, ...argv], { timeout: 10_000 });

/** One HTTP GET from the client pod; the body names the pod that answered. */
async function get(url: string): Promise<string> {
  const { stdout } = await inNs(pods.c.ns, 'timeout', '3', 'busybox', 'wget', '-qO-', url);
  return stdout.trim();
}
async function answers(url: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await get(url));
  return out;
}

const ep = (ip: string): ProxyEndpoint => ({ ip, port: 8080, ready: true, serving: true, terminating: false, local: true });
function svcPort(name: string, over: Partial<ProxyServicePort>): ProxyServicePort {
  return { id: `demo/${name}:http`, namespace: 'demo', name, portName: 'http', protocol: 'TCP', clusterIPs: [], port: 80, externalIPs: [], loadBalancerIPs: [], externalPolicyLocal: false, internalPolicyLocal: false, clusterEndpoints: [], externalEndpoints: [], ...over };
}
function table(webEndpoints: ProxyEndpoint[]): ProxyTable {
  const both = [ep(pods.a.ip), ep(pods.b.ip)];
  return {
    nodeName: 'skp-node',
    nodeIPs: [gateway],
    services: [
      svcPort('web', { clusterIPs: ['10.43.0.10'], nodePort: 30080, clusterEndpoints: webEndpoints, externalEndpoints: webEndpoints }),
      svcPort('sticky', { clusterIPs: ['10.43.0.11'], sessionAffinity: { timeoutSeconds: 60 }, clusterEndpoints: both }),
      svcPort('empty', { clusterIPs: ['10.43.0.12'], nodePort: 30082 }),
    ],
  };
}

describe('nftables service proxy backend in a network namespace', { skip: skipReason }, () => {
  let dir = '';
  const servers: ChildProcess[] = [];
  let backend: ProxyBackend;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skp-'));
    await run('ip', ['netns', 'add', nodeNs]);
    for (const p of Object.values(pods)) await run('ip', ['netns', 'add', p.ns]);
    await inNs(nodeNs, 'ip', 'link', 'set', 'lo', 'up');
    // VIP traffic leaves by the interface it came in on (the service CIDR is routed onto the
    // bridge): without this the node sends ICMP redirects and clients then ARP for the VIP.
    await inNs(nodeNs, 'sysctl', '-qw', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.default.send_redirects=0');
    await inNs(nodeNs, 'ip', 'link', 'add', bridge, 'type', 'bridge');
    await inNs(nodeNs, 'ip', 'addr', 'add', `${gateway}/24`, 'dev', bridge);
    await inNs(nodeNs, 'ip', 'link', 'set', bridge, 'up');
    await inNs(nodeNs, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    for (const [name, p] of Object.entries(pods)) {
      const host = `skpv${name}`;
      await inNs(nodeNs, 'ip', 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', p.ns);
      await inNs(nodeNs, 'ip', 'link', 'set', host, 'master', bridge, 'up');
      await inNs(p.ns, 'ip', 'link', 'set', 'lo', 'up');
      await inNs(p.ns, 'ip', 'addr', 'add', `${p.ip}/24`, 'dev', 'eth0');
      await inNs(p.ns, 'ip', 'link', 'set', 'eth0', 'up');
      await inNs(p.ns, 'ip', 'route', 'add', 'default', 'via', gateway);
    }
    for (const name of ['a', 'b'] as const) {
      const root = join(dir, name);
      await mkdir(root);
      await writeFile(join(root, 'index.html'), `pod-${name}\n`);
      servers.push(spawn('ip', ['netns', 'exec', pods[name].ns, 'busybox', 'httpd', '-f', '-p', '8080', '-h', root], { stdio: 'ignore' }));
    }
    for (const name of ['a', 'b'] as const) await eventually(() => get(`http://${pods[name].ip}:8080/`).then((b) => b === `pod-${name}`, () => false), 10_000, `httpd in pod ${name}`);
    backend = createNftablesBackend({ tableName, logger: silentLogger, netns: nodeNs, serviceCidrRoute: { cidr: '10.43.0.0/16', dev: bridge } });
    await backend.sync(table([ep(pods.a.ip), ep(pods.b.ip)]));
  });

  after(async () => {
    await backend?.close().catch(() => undefined);
    for (const s of servers) s.kill();
    // Deleting the namespaces removes the bridge and every veth created in them.
    for (const ns of [nodeNs, ...Object.values(pods).map((p) => p.ns)]) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('ClusterIP spreads over both endpoints', async () => {
    const got = await answers('http://10.43.0.10/', 40);
    assert.ok(got.includes('pod-a') && got.includes('pod-b'), `both pods answer: ${got.join(',')}`);
    assert.ok(got.every((g) => g === 'pod-a' || g === 'pod-b'));
  });

  test('ClientIP affinity keeps one client on one endpoint', async () => {
    const got = await answers('http://10.43.0.11/', 20);
    assert.equal(new Set(got).size, 1, `always the same pod: ${got.join(',')}`);
  });

  test('NodePort answers on the node address', async () => {
    const got = await answers(`http://${gateway}:30080/`, 10);
    assert.ok(got.every((g) => g === 'pod-a' || g === 'pod-b'), got.join(','));
  });

  test("the node's own traffic reaches a ClusterIP and a NodePort (output hook)", async () => {
    for (const url of ['http://10.43.0.10/', `http://${gateway}:30080/`]) {
      const { stdout } = await inNs(nodeNs, 'timeout', '3', 'busybox', 'wget', '-qO-', url);
      assert.match(stdout.trim(), /^pod-[ab]$/, url);
    }
  });

  test('a Service port without endpoints refuses at once (ClusterIP and NodePort)', async () => {
    for (const url of ['http://10.43.0.12/', `http://${gateway}:30082/`]) {
      const started = Date.now();
      // Without -q, so busybox wget says why it failed.
      const err = await inNs(pods.c.ns, 'timeout', '3', 'busybox', 'wget', '-O-', url).then(() => undefined, (e: { stderr?: string }) => e);
      assert.ok(err, `${url} must fail`);
      assert.match(String(err.stderr), /refused/i, `${url}: ${String(err.stderr)}`);
      assert.ok(Date.now() - started < 2000, 'rejected, not left to time out');
    }
  });

  test('an endpoint removal applies in under a second', async () => {
    const started = Date.now();
    await backend.sync(table([ep(pods.a.ip)]));
    const took = Date.now() - started;
    assert.ok(took < 1000, `sync took ${took} ms`);
    const got = await answers('http://10.43.0.10/', 20);
    assert.deepEqual([...new Set(got)], ['pod-a']);
    // The affinity Service is untouched by the update and still answers.
    assert.match(await get('http://10.43.0.11/'), /^pod-[ab]$/);
  });

  test('the kernel takes a full resync over an existing table (periodic repair)', async () => {
    const other = createNftablesBackend({ tableName: `${tableName}_full`, logger: silentLogger, netns: nodeNs, fullSyncIntervalMs: 0 });
    try {
      const t = table([ep(pods.a.ip), ep(pods.b.ip)]);
      await other.sync(t);
      await inNs(nodeNs, 'nft', 'flush', 'chain', 'ip', `${tableName}_full`, 'services');
      await other.sync(t);
      const { stdout } = await inNs(nodeNs, 'nft', 'list', 'chain', 'ip', `${tableName}_full`, 'services');
      assert.match(stdout, /vmap @service-ips/, 'the hand-flushed chain is rebuilt');
    } finally {
      await other.close();
    }
  });

  test('close removes the table and the route', async () => {
    const { stdout: routes } = await inNs(nodeNs, 'ip', 'route', 'show', '10.43.0.0/16');
    assert.match(routes, /proto 211/);
    await backend.close();
    const listed = await inNs(nodeNs, 'nft', 'list', 'table', 'ip', tableName).then(() => true, () => false);
    assert.equal(listed, false, 'the table is gone');
    const { stdout: after } = await inNs(nodeNs, 'ip', 'route', 'show', '10.43.0.0/16');
    assert.equal(after.trim(), '');
  });
});
