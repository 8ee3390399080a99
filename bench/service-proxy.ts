/**
 * @module Service proxy figures (issue 5): HTTP requests/s through a ClusterIP vs straight to
 * the pod IP, keep-alive off and on, and their ratio, for both proxy backends:
 * - nftables: one `skiff agent --runtime runc` node in its own network namespace
 *   (`test/support/netns-nodes.ts`), a busybox httpd pod behind a Service; the load generator
 *   runs in the node's netns, so ClusterIP traffic takes the nat-output DNAT path. The pod
 *   runs two httpd, 8080 for the pod-IP runs and 8081 behind the Service: after DNAT a
 *   ClusterIP connection would otherwise reuse the 4-tuple of a pod-IP connection still in
 *   TIME_WAIT at httpd (which closes first); such SYNs were dropped and sent again after 1 s
 *   (measured: p99 ≈ 1 s, 0.22–0.7×), most likely by PAWS, the two paths having different TCP
 *   timestamp offsets. With disjoint tuples that is gone. Needs root, runc, nft, skopeo and
 *   busybox-static; skipped with the reason otherwise.
 * - userspace: `skiff server --runtime process` with a loopback service CIDR (127.43.0.0/16)
 *   so the userspace proxy can bind ClusterIPs; a Node HTTP server pod; the load generator on
 *   the host network, which process pods share.
 * Each run is a separate load-generator process (`http-load.ts`); pod-IP and ClusterIP runs
 * alternate (A B B A) against the shared machine's drifting load. Prints figures only.
 *
 *   node --import tsx bench/service-proxy.ts   (BENCH_NET_SECONDS per run, default 3; BENCH_NET_ROUNDS, default 2; BENCH_NET_CONCURRENCY, default 32)
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxImage, pushImage, runcSkipReason } from '../test/support/busybox-image.ts';
import { haveKubectl } from '../test/support/kubectl.ts';
import { startNetnsNodes } from '../test/support/netns-nodes.ts';
import { startCluster } from '../test/support/server.ts';
import type { Kubectl } from '../test/support/kubectl.ts';
import { until } from './cluster.ts';
import { fmt } from './lib.ts';
import { backendScript, freePort, interleaved, type LoadResult } from './http-load.ts';

export interface ProxyRow { backend: 'nftables' | 'userspace'; keepAlive: boolean; direct: LoadResult; service: LoadResult }
export interface ProxyFigures { rows: ProxyRow[]; concurrency: number; seconds: number; rounds: number; notes: string[] }

function nftSkipReason(): string | false {
  const r = runcSkipReason();
  if (r) return r;
  try {
    execFileSync('sh', ['-c', 'command -v nft'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'nft not installed';
  }
}

const jsonpath = async (k: Kubectl, args: string[]) => (await k.ok(['get', ...args])).trim();

async function measurePair(backend: ProxyRow['backend'], direct: string, service: string, o: { concurrency: number; seconds: number; rounds: number }, netns?: string): Promise<ProxyRow[]> {
  const rows: ProxyRow[] = [];
  for (const keepAlive of [false, true]) {
    console.log(`service-proxy: ${backend}, keep-alive ${keepAlive ? 'on' : 'off'}: pod IP ${direct} / ClusterIP ${service}, ${o.concurrency} in flight, ${o.rounds}× ${o.seconds} s each, interleaved…`);
    const base = { keepAlive, concurrency: o.concurrency, seconds: o.seconds };
    const r = await interleaved([['direct', { url: direct, ...base }], ['service', { url: service, ...base }]] as const, o.rounds, netns);
    rows.push({ backend, keepAlive, direct: r.get('direct')!, service: r.get('service')! });
  }
  return rows;
}

async function benchNftables(o: { concurrency: number; seconds: number; rounds: number }): Promise<ProxyRow[]> {
  const work = await mkdtemp(join(tmpdir(), 'skiff-bench-proxy-'));
  const node = 'pxbench';
  const env = await startNetnsNodes({ bridge: 'skpxb0', subnet: '10.82.0', nodes: [node], clusterCidr: '10.65.0.0/16', cluster: { datastore: 'memory', server: { dnsPort: -1, ingressHttpPort: -1, ingressHttpsPort: -1 } } });
  try {
    const k = env.cluster.kubectl;
    const { layoutDir } = await buildBusyboxImage(work);
    await pushImage(layoutDir, env.registryPush, 'busybox:1.36');
    const image = `${env.registry}/busybox:1.36`;
    await until(async () => (await k(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).stdout === 'True', 60_000, `node ${node} Ready`, 250);
    const apply = (obj: object) => k.ok(['apply', '-f', '-'], { input: JSON.stringify(obj) });
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { app: 'web' } },
      spec: { nodeName: node, terminationGracePeriodSeconds: 1, containers: [{ name: 'httpd', image, command: ['sh', '-c', 'mkdir -p /www && echo hello > /www/index.html && httpd -p 8081 -h /www && exec httpd -f -p 8080 -h /www'], readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } }] },
    });
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8081 }] } });
    await k.ok(['wait', '--for=condition=Ready', 'pod/web', '--timeout=90s']);
    const podIP = await jsonpath(k, ['pod', 'web', '-o', 'jsonpath={.status.podIP}']);
    const clusterIP = await jsonpath(k, ['svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    const direct = `http://${podIP}:8080/`;
    const service = `http://${clusterIP}/`;
    const answers = (url: string) => {
      try {
        return env.inNode(node, ['wget', '-qO-', '-T', '2', url]).trim() === 'hello';
      } catch {
        return false;
      }
    };
    await until(async () => answers(direct) && answers(service), 30_000, 'pod and ClusterIP answer from the node netns', 250);
    return await measurePair('nftables', direct, service, o, `skn-${node}`);
  } finally {
    await env.stop();
    await rm(work, { recursive: true, force: true });
  }
}

async function benchUserspace(o: { concurrency: number; seconds: number; rounds: number }): Promise<ProxyRow[]> {
  const node = 'skbench-usp';
  const c = await startCluster({
    datastore: 'memory',
    server: { disableAgent: false, runtime: 'process', nodeName: node, clusterCidr: '10.66.0.0/16', serviceCidr: '127.43.0.0/16', clusterDns: '127.43.0.10', proxyMode: 'userspace', dnsPort: -1, ingressHttpPort: -1, ingressHttpsPort: -1 },
  });
  try {
    const k = c.kubectl;
    const port = await freePort();
    const apply = (obj: object) => k.ok(['apply', '-f', '-'], { input: JSON.stringify(obj) });
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { app: 'web' } },
      spec: { nodeName: node, terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: 'node', command: [process.execPath, '-e', backendScript], env: [{ name: 'PORT', value: String(port) }], ports: [{ name: 'http', containerPort: port }], readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 1 } }] },
    });
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } });
    await k.ok(['wait', '--for=condition=Ready', 'pod/web', '--timeout=60s']);
    const clusterIP = await jsonpath(k, ['svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    const direct = `http://127.0.0.1:${port}/`;
    const service = `http://${clusterIP}/`;
    const answers = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.text()).catch(() => '')) === 'hello\n';
    await until(async () => (await answers(direct)) && (await answers(service)), 30_000, 'pod and ClusterIP answer', 200);
    return await measurePair('userspace', direct, service, o);
  } finally {
    await c.stop();
  }
}

export async function benchServiceProxy(opts: { seconds?: number; concurrency?: number; rounds?: number } = {}): Promise<ProxyFigures> {
  const o = { seconds: opts.seconds ?? Number(process.env.BENCH_NET_SECONDS ?? 3), concurrency: opts.concurrency ?? Number(process.env.BENCH_NET_CONCURRENCY ?? 32), rounds: opts.rounds ?? Number(process.env.BENCH_NET_ROUNDS ?? 2) };
  const rows: ProxyRow[] = [];
  const notes: string[] = [];
  const skip = nftSkipReason();
  if (skip) notes.push(`nftables: skipped (${skip})`);
  else rows.push(...(await benchNftables(o)));
  if (!haveKubectl) notes.push('userspace: skipped (kubectl not installed)');
  else rows.push(...(await benchUserspace(o)));
  for (const n of notes) console.log(`service-proxy: ${n}`);
  return { rows, notes, ...o };
}

export function printServiceProxyFigures(f: ProxyFigures): void {
  console.log(`## Service proxy — ${f.concurrency} in flight, ${f.rounds} interleaved runs of ${f.seconds} s per figure\n`);
  console.log('| backend | keep-alive | pod IP req/s | ClusterIP req/s | ratio | pod IP p50/p99 | ClusterIP p50/p99 | errors |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of f.rows) {
    const errs = r.direct.errors + r.direct.bad + r.service.errors + r.service.bad;
    console.log(`| ${r.backend} | ${r.keepAlive ? 'on' : 'off'} | ${r.direct.perSecond} | ${r.service.perSecond} | ${fmt(r.service.perSecond / r.direct.perSecond, 2)}× | ${fmt(r.direct.p50Ms, 2)} / ${fmt(r.direct.p99Ms, 2)} ms | ${fmt(r.service.p50Ms, 2)} / ${fmt(r.service.p99Ms, 2)} ms | ${errs} |`);
  }
  for (const n of f.notes) console.log(`\n${n}`);
  console.log();
}

if (import.meta.url === `file://${process.argv[1]}`) printServiceProxyFigures(await benchServiceProxy());
