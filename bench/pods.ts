/**
 * @module Real-pod figures (issue 4): pod start latency (create → Running and Ready) over 100
 * pods with the image already pulled, on the runc runtime and, for comparison, the process
 * runtime; the server process's RSS (API server, controllers, scheduler and kubelet share it)
 * before and with the 100 pods; and the `kubectl exec POD -- true` round trip.
 *
 * Each runtime gets its own in-process `skiff server` with the embedded agent and default
 * kubelet timings. The runc run needs root, runc (or crun), skopeo and busybox-static; without
 * them it says why and is skipped. Prints figures; never asserts on time.
 *
 *   node --import tsx bench/pods.ts     (BENCH_PODS, default 100; BENCH_PODS_QPS, default 0 = burst;
 *                                        BENCH_PODS_RUNTIME=runc|process runs only that one)
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/api/object.ts';
import { refs } from '../src/client/refs.ts';
import { Client, type ResourceClient } from '../src/client/rest.ts';
import { buildBusyboxImage, busyboxSkipReason, pushImage, skopeoSkipReason } from '../test/support/busybox-image.ts';
import { haveKubectl } from '../test/support/kubectl.ts';
import { startCluster, type TestCluster } from '../test/support/server.ts';
import { readFileSync } from 'node:fs';
import { resetRuncTrace, runcTrace, type PhaseStat } from '../src/kubelet/runtime/runc/trace.ts';
import { mb, until } from './cluster.ts';
import { fmt, percentile } from './lib.ts';

type PodObj = Pod & KubeObject;

export interface PodFigures {
  runtime: 'runc' | 'process';
  pods: number;
  /** Creates per second, or 0 when all were created in one burst. */
  qps: number;
  /** Per-pod create request → the watch event that shows it Running and Ready, in ms. */
  startMs: number[];
  /** First create → last pod Ready, in ms. */
  totalMs: number;
  /** Server process RSS with no bench pods, and with all of them Ready (MB). */
  rssBeforeMb: number;
  rssWithPodsMb: number;
  /** `kubectl exec POD -- true` wall-clock times (ms), runc only. */
  execMs: number[];
  /** Where the burst went (runc only): host tools spawned and per-phase wall times. */
  trace?: { spawns: Record<string, number>; phases: Record<string, PhaseStat> };
  /** CPU seconds during the measured window: this process, and its reaped children (ip, runc, mount…). */
  cpu?: { selfS: number; childrenS: number };
}

/** utime+stime of this process and of its waited-for children, in seconds (/proc/self/stat). */
function cpuNow(): { selfS: number; childrenS: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = 100;
  return { selfS: (Number(f[11]) + Number(f[12])) / tick, childrenS: (Number(f[13]) + Number(f[14])) / tick };
}

const admin = { username: 'bench-admin', groups: ['system:masters', 'system:authenticated'] };
const ns = 'default';

function has(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why the runc figures cannot be taken here, or false when they can. */
export function runcSkipReason(): string | false {
  if (!haveKubectl) return 'kubectl not installed at /usr/bin/kubectl';
  if (process.getuid?.() !== 0) return 'needs root for runc';
  if (!has('runc') && !has('crun')) return 'neither runc nor crun is installed';
  return busyboxSkipReason() || skopeoSkipReason();
}

const isReady = (p: PodObj) => p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

function podFor(name: string, image: string): PodObj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { bench: 'pods' } },
    // No readiness probe: Ready as soon as the container runs. sleep as PID 1 ignores SIGTERM,
    // so a 1 s grace period keeps the clean-up short.
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image, command: ['sleep', '3600'] }] },
  };
}

async function waitReady(pods: ResourceClient<PodObj>, name: string, timeoutMs: number): Promise<void> {
  await until(async () => isReady(await pods.get(name, ns)), timeoutMs, `${name} Ready`, 100);
}

async function deleteAll(pods: ResourceClient<PodObj>): Promise<void> {
  await pods.deleteCollection({ namespace: ns, labelSelector: 'bench=pods' });
  await until(async () => (await pods.list({ namespace: ns, labelSelector: 'bench=pods' })).items.length === 0, 180_000, 'bench pods gone', 250);
}

/** Process RSS after a GC (when exposed), so the figure is live memory rather than garbage. */
function rssNowMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return mb(process.memoryUsage().rss);
}

async function measure(c: TestCluster, runtime: PodFigures['runtime'], image: string, count: number, qps: number): Promise<PodFigures> {
  const client = new Client(c.server.transportFor(admin));
  const pods = client.resource<PodObj>(refs.pods);
  // Warm-up: pulls the image (runc) and lets the node settle; not counted.
  await pods.create({ ...podFor('warmup', image), metadata: { name: 'warmup', labels: { bench: 'warmup' } } }, ns);
  await waitReady(pods, 'warmup', 120_000);
  const rssBeforeMb = rssNowMb();

  const created = new Map<string, number>();
  const ready = new Map<string, number>();
  const ac = new AbortController();
  const rv = (await pods.list({ namespace: ns, labelSelector: 'bench=pods' })).metadata?.resourceVersion;
  const watching = (async () => {
    for await (const ev of pods.watch({ namespace: ns, labelSelector: 'bench=pods', resourceVersion: rv, signal: ac.signal })) {
      const p = ev.object as PodObj;
      const name = p.metadata?.name;
      if (name && !ready.has(name) && isReady(p)) ready.set(name, performance.now());
    }
  })().catch((e: unknown) => {
    if (!ac.signal.aborted) throw e;
  });

  const names = Array.from({ length: count }, (_, i) => `bench-${String(i).padStart(3, '0')}`);
  resetRuncTrace();
  const cpu0 = cpuNow();
  const t0 = performance.now();
  for (const [i, name] of names.entries()) {
    // Paced creates (BENCH_PODS_QPS) measure latency below saturation; 0 = one burst.
    if (qps > 0) await new Promise((r) => setTimeout(r, Math.max(0, t0 + (i * 1000) / qps - performance.now())));
    created.set(name, performance.now());
    await pods.create(podFor(name, image), ns);
  }
  await until(async () => ready.size >= count, 300_000, `${count} pods Ready`, 50);
  const totalMs = Math.max(...ready.values()) - t0;
  const sortedReady = [...ready.values()].sort((a, b) => a - b);
  console.log(`${runtime}: last create sent ${fmt(Math.max(...created.values()) - t0, 0)} ms after the first; first Ready at ${fmt(sortedReady[0]! - t0, 0)} ms, median at ${fmt(sortedReady[Math.floor(sortedReady.length / 2)]! - t0, 0)} ms`);
  const cpu1 = cpuNow();
  const cpu = { selfS: cpu1.selfS - cpu0.selfS, childrenS: cpu1.childrenS - cpu0.childrenS };
  const trace = runtime === 'runc' ? runcTrace() : undefined;
  for (const p of Object.values(trace?.phases ?? {})) {
    p.firstAt -= t0;
    p.lastAt -= t0;
  }
  ac.abort();
  await watching;
  const startMs = names.map((n) => ready.get(n)! - created.get(n)!);
  const rssWithPodsMb = rssNowMb();

  const execMs: number[] = [];
  if (runtime === 'runc') {
    for (let i = 0; i < 10; i++) {
      const s = performance.now();
      await c.kubectl.ok(['exec', names[i % names.length]!, '--', 'true']);
      execMs.push(performance.now() - s);
    }
  }
  await deleteAll(pods);
  await pods.delete('warmup', { namespace: ns });
  return { runtime, pods: count, qps, startMs, totalMs, rssBeforeMb, rssWithPodsMb, execMs, trace, cpu };
}

export async function benchPods(count = 100, qps = 0, only = process.env.BENCH_PODS_RUNTIME ?? ''): Promise<PodFigures[]> {
  const out: PodFigures[] = [];
  const skip = only === 'process' ? 'BENCH_PODS_RUNTIME=process' : runcSkipReason();
  if (skip) console.log(`pods (runc): skipped (${skip})`);
  else {
    const work = await mkdtemp(join(tmpdir(), 'skiff-bench-pods-'));
    // Its own bridge and pod network, so it never collides with test clusters on this host.
    const c = await startCluster({ datastore: 'memory', server: { disableAgent: false, runtime: 'runc', nodeName: 'skbench-runc', nodeBridge: 'skbench0', clusterCidr: '10.62.0.0/16' } });
    try {
      const { layoutDir } = await buildBusyboxImage(work);
      await pushImage(layoutDir, c.server.registry.address!, 'busybox:1.36');
      await waitNodeReady(c, 'skbench-runc');
      out.push(await measure(c, 'runc', `${c.server.registry.address}/busybox:1.36`, count, qps));
    } finally {
      await c.stop(); // stops the server, then killAgentProcesses(dataDir), then removes it
      await rm(work, { recursive: true, force: true });
    }
  }
  if (only === 'runc') console.log('pods (process): skipped (BENCH_PODS_RUNTIME=runc)');
  else if (!haveKubectl) console.log('pods (process): skipped (kubectl not installed)');
  else {
    const c = await startCluster({ datastore: 'memory', server: { disableAgent: false, runtime: 'process', nodeName: 'skbench-proc', clusterCidr: '10.63.0.0/16' } });
    try {
      await waitNodeReady(c, 'skbench-proc');
      out.push(await measure(c, 'process', 'busybox', count, qps));
    } finally {
      await c.stop();
    }
  }
  return out;
}

async function waitNodeReady(c: TestCluster, node: string): Promise<void> {
  await until(async () => (await c.kubectl(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).stdout === 'True', 60_000, `node ${node} Ready`, 250);
}

export function printPodFigures(rows: PodFigures[]): void {
  console.log('| runtime | pods (creates/s) | start p50 | p90 | p99 | max | first create → last Ready | RSS before | RSS with pods | exec p50 (10 runs) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const s = r.startMs;
    const exec = r.execMs.length ? `${fmt(percentile(r.execMs, 50), 0)} ms (max ${fmt(Math.max(...r.execMs), 0)})` : '—';
    console.log(
      `| ${r.runtime} | ${r.pods} (${r.qps || 'burst'}) | ${fmt(percentile(s, 50), 0)} ms | ${fmt(percentile(s, 90), 0)} ms | ${fmt(percentile(s, 99), 0)} ms | ${fmt(Math.max(...s), 0)} ms | ${fmt(r.totalMs / 1000, 2)} s | ${fmt(r.rssBeforeMb, 0)} MB | ${fmt(r.rssWithPodsMb, 0)} MB | ${exec} |`,
    );
  }
  for (const r of rows) {
    if (r.cpu) console.log(`${r.runtime} (${r.qps || 'burst'}): CPU in the window: bench process ${fmt(r.cpu.selfS, 1)} s, reaped children ${fmt(r.cpu.childrenS, 1)} s; load avg ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    if (!r.trace) continue;
    console.log(`  spawns: ${Object.entries(r.trace.spawns).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    for (const [k, p] of Object.entries(r.trace.phases).sort()) console.log(`  ${k}: ${p.count}× mean ${fmt(p.totalMs / p.count, 1)} ms, max ${fmt(p.maxMs, 0)} ms, ran ${fmt(p.firstAt, 0)}–${fmt(p.lastAt, 0)} ms after the first create`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printPodFigures(await benchPods(Number(process.env.BENCH_PODS ?? 100), Number(process.env.BENCH_PODS_QPS ?? 0)));
}
