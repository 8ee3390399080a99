/**
 * @module Endpoint change → proxy rules applied (issue 5): one `skiff agent --runtime runc` node
 * in its own network namespace with the nftables proxy, a selector-less Service, and ~20
 * writes of its EndpointSlice, each replacing the endpoint address with a new one. Per change:
 * the time from just before the API write to the first `nft list table` in the node's netns
 * that contains the new address (polled back to back; the median poll cost is printed as the
 * resolution). No pods are needed. Needs root and nft; skipped with the reason otherwise.
 * Prints figures only.
 *
 *   node --import tsx bench/proxy-update.ts   (BENCH_PROXY_CHANGES, default 20)
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/api/object.ts';
import { refs } from '../src/client/refs.ts';
import { Client } from '../src/client/rest.ts';
import { haveKubectl } from '../test/support/kubectl.ts';
import { startNetnsNodes } from '../test/support/netns-nodes.ts';
import { fmt, percentile } from './lib.ts';

const run = promisify(execFile);
const admin = { username: 'bench-admin', groups: ['system:masters', 'system:authenticated'] };
const node = 'pubench';

export interface ProxyUpdateFigures { changesMs: number[]; pollMs: number[] }

function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces and nft';
  if (!haveKubectl) return 'kubectl not installed';
  try {
    execFileSync('sh', ['-c', 'command -v nft && command -v runc'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'nft or runc not installed';
  }
}

const slice = (ip: string): EndpointSlice & KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  metadata: { name: 'upd-manual', namespace: 'default', labels: { 'kubernetes.io/service-name': 'upd' } },
  addressType: 'IPv4',
  ports: [{ name: '', port: 8080, protocol: 'TCP' }],
  endpoints: [{ addresses: [ip], conditions: { ready: true } }],
});

export async function benchProxyUpdate(changes = Number(process.env.BENCH_PROXY_CHANGES ?? 20)): Promise<ProxyUpdateFigures | undefined> {
  const skip = skipReason();
  if (skip) return void console.log(`proxy-update: skipped (${skip})`);
  const env = await startNetnsNodes({ bridge: 'skpub0', subnet: '10.83.0', nodes: [node], clusterCidr: '10.67.0.0/16', cluster: { datastore: 'memory', server: { dnsPort: -1, ingressHttpPort: -1, ingressHttpsPort: -1 } } });
  try {
    const client = new Client(env.cluster.server.transportFor(admin));
    const slices = client.resource<EndpointSlice & KubeObject>(refs.endpointslices);
    const table = `skiff_proxy_${node}`;
    const pollMs: number[] = [];
    const ruleset = async () => {
      const t = performance.now();
      const out = await run('nsenter', [`--net=/run/netns/skn-${node}`, 'nft', 'list', 'table', 'ip', table]).then((r) => r.stdout).catch(() => '');
      pollMs.push(performance.now() - t);
      return out;
    };
    /** Resolves with the time the ruleset first contains `needle`. */
    const appears = async (needle: string, deadlineMs: number) => {
      const end = performance.now() + deadlineMs;
      while (performance.now() < end) if ((await ruleset()).includes(needle)) return performance.now();
      throw new Error(`${needle} not in table ${table} within ${deadlineMs} ms`);
    };
    await client.resource<Service & KubeObject>(refs.services).create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'upd' }, spec: { ports: [{ port: 80, targetPort: 8080 }] } }, 'default');
    // The agent registers, its proxy starts and programs the first endpoint: not timed.
    console.log('proxy-update: waiting for the node proxy to program the first endpoint…');
    await slices.create(slice('10.67.250.1'), 'default');
    await appears('10.67.250.1', 60_000);
    pollMs.length = 0;
    const changesMs: number[] = [];
    for (let i = 0; i < changes; i++) {
      const ip = `10.67.251.${i + 1}`;
      const t0 = performance.now();
      await slices.patch('upd-manual', 'merge', { endpoints: [{ addresses: [ip], conditions: { ready: true } }] }, { namespace: 'default' });
      changesMs.push((await appears(ip, 10_000)) - t0);
      // Let the proxy's debounce window pass so each change is measured on its own.
      await new Promise((r) => setTimeout(r, 150));
    }
    console.log(`proxy-update: ${changes} changes measured`);
    return { changesMs, pollMs };
  } finally {
    await env.stop();
  }
}

export function printProxyUpdateFigures(f: ProxyUpdateFigures | undefined): void {
  if (!f) return;
  const c = f.changesMs;
  console.log(`## Endpoint change → nftables rules (${c.length} EndpointSlice writes, selector-less Service)\n`);
  console.log('| p50 | p90 | p99 | max | poll resolution (median `nft list table`) |');
  console.log('|---:|---:|---:|---:|---:|');
  console.log(`| ${fmt(percentile(c, 50), 0)} ms | ${fmt(percentile(c, 90), 0)} ms | ${fmt(percentile(c, 99), 0)} ms | ${fmt(Math.max(...c), 0)} ms | ${fmt(percentile(f.pollMs, 50), 0)} ms |\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) printProxyUpdateFigures(await benchProxyUpdate());
