/**
 * Scheduler throughput, scheduler_perf-style, in one process: an in-process API server on
 * the memory store, N Node objects (32 cpu / 256Gi / 110 pods, Ready) created through the
 * client, then M pending pods; the scheduler starts and we time until every pod is bound.
 * Two workloads: plain pods, and pods with required anti-affinity to each other on
 * kubernetes.io/hostname. Prints figures; never asserts on time.
 *
 *   node --import tsx bench/scheduler.ts            (BENCH_NODES, BENCH_PODS, BENCH_ANTI_PODS)
 *
 * BENCH_CPU_PROF=dir writes a V8 CPU profile of each timed window (setup excluded) there.
 * The timed window ends when every pod is bound. BENCH_DEBUG=1 prints the scheduling queue's
 * pools every second; no new binding for BENCH_STALL_S seconds (default 30) exits 1 with the
 * number of unbound pods and where each one is held.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import type { Node, Pod, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/api/object.ts';
import { InformerFactory } from '../src/client/cache/factory.ts';
import { ClientEventRecorder } from '../src/client/events/recorder.ts';
import { refs } from '../src/client/refs.ts';
import { Client } from '../src/client/rest.ts';
import { Scheduler } from '../src/scheduler/scheduler.ts';
import { createBackend, parseDatastore } from '../src/storage/factory.ts';
import { realClock } from '../src/util/clock.ts';
import { silentLogger } from '../src/util/log.ts';
import { startInProcessApi } from '../test/support/in-process-api.ts';

export interface SchedulerFigures {
  workload: string;
  nodes: number;
  pods: number;
  seconds: number;
  podsPerSec: number;
  /** CPU time (user + system) of this process during the timed window. */
  cpuSeconds: number;
}

async function withApiServer<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const backend = createBackend(parseDatastore('memory', '/tmp'));
  await backend.start();
  const user = { username: 'system:kube-scheduler', groups: ['system:masters', 'system:authenticated'] };
  const server = await startInProcessApi({ backend, user, server: { watchCacheCapacity: 100_000 } });
  try {
    return await fn(server.client);
  } finally {
    await server.stopped();
    await backend.close();
  }
}

async function inBatches(n: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await fn(next++);
  }));
}

function node(i: number): Node & KubeObject {
  const name = `node-${i}`;
  const res = { cpu: '32', memory: '256Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    status: { capacity: res, allocatable: res, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function pod(i: number, anti: boolean): Pod & KubeObject {
  const labels = { app: anti ? 'anti' : 'plain' };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'default', labels },
    spec: {
      containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' } } }],
      ...(anti ? { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' }] } } } : {}),
    },
  };
}

/** No new binding for this long: the run has stalled (BENCH_STALL_S, default 30). */
const stallMs = Number(process.env.BENCH_STALL_S ?? 30) * 1000;

/**
 * Where each pod the API server still has unbound is held now: a queue pool, assumed (its
 * binding in flight), only in the scheduler's informer, or not even there (never seen).
 */
async function unboundByPool(client: Client, scheduler: Scheduler, informers: InformerFactory): Promise<Record<string, number>> {
  const store = informers.informerFor<Pod & KubeObject>(refs.pods).store;
  const unbound = await client.resource<Pod & KubeObject>(refs.pods).list({ namespace: 'default', fieldSelector: 'spec.nodeName=' });
  const where: Record<string, number> = {};
  for (const p of unbound.items) {
    const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
    const cached = store.get(key);
    const pool =
      scheduler.queue.poolOf(key) ??
      (scheduler.snapshot.isAssumed(key) ? 'assumed (binding)' : !cached ? 'not in the informer' : cached.spec?.nodeName ? 'bound in the informer only' : 'nowhere');
    where[pool] = (where[pool] ?? 0) + 1;
  }
  return where;
}

/**
 * Waits until `pods` bindings succeeded. BENCH_DEBUG=1 prints the queue's pools every
 * second; a run without progress for stallMs fails loudly (exit 1) instead of hanging.
 */
async function waitForAllBound(client: Client, scheduler: Scheduler, informers: InformerFactory, pods: number, workload: string): Promise<void> {
  const stats = scheduler.cycle.stats;
  const debug = !!process.env.BENCH_DEBUG;
  if (debug) process.stderr.write(`${workload}: the scheduler's informer holds ${informers.informerFor<Pod & KubeObject>(refs.pods).store.list().length} pods, the queue ${JSON.stringify(scheduler.queue.sizes())}\n`);
  let last = -1;
  let lastChange = performance.now();
  let lastPrint = performance.now();
  while (stats.scheduled < pods) {
    await new Promise((r) => setTimeout(r, 5));
    const now = performance.now();
    if (stats.scheduled !== last) [last, lastChange] = [stats.scheduled, now];
    if (debug && now - lastPrint >= 1000) {
      lastPrint = now;
      process.stderr.write(`${workload}: ${stats.scheduled}/${pods} bound, queue ${JSON.stringify(scheduler.queue.sizes())}, in flight ${JSON.stringify(scheduler.queue.inFlightSizes())}, ${JSON.stringify(stats)}\n`);
    }
    if (now - lastChange >= stallMs) {
      process.stderr.write(
        `${workload}: STALLED — no binding for ${stallMs / 1000} s; ${pods - stats.scheduled} of ${pods} pods unbound, by pool ${JSON.stringify(await unboundByPool(client, scheduler, informers))}; ` +
          `queue ${JSON.stringify(scheduler.queue.sizes())}, ${JSON.stringify(stats)}\n`,
      );
      process.exit(1);
    }
  }
}

/** Starts the inspector's CPU profiler when BENCH_CPU_PROF names a directory. */
async function startProfile(): Promise<((name: string) => Promise<void>) | undefined> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async (name) => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(`${dir}/${name}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  };
}

export async function benchScheduler(workload: 'plain' | 'anti-affinity', nodes: number, pods: number): Promise<SchedulerFigures> {
  return withApiServer(async (client) => {
    const nodeRc = client.resource<Node & KubeObject>(refs.nodes);
    await inBatches(nodes, 32, async (i) => {
      const want = node(i);
      const created = await nodeRc.create(want);
      await nodeRc.update({ ...created, status: want.status }, 'status');
    });
    // ServiceAccount admission rejects pods whose account is missing; no controller runs here.
    await client.resource<ServiceAccount & KubeObject>(refs.serviceaccounts).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } }).catch(() => {});
    const podRc = client.resource<Pod & KubeObject>(refs.pods);
    await inBatches(pods, 32, (i) => podRc.create(pod(i, workload === 'anti-affinity')));

    const stop = new AbortController();
    const informers = new InformerFactory(client, { clock: realClock, logger: silentLogger });
    const recorder = new ClientEventRecorder(client, { component: 'default-scheduler' }, realClock, silentLogger);
    const scheduler = new Scheduler({ client, informers, recorder, clock: realClock, logger: silentLogger });
    informers.start(stop.signal);
    await informers.waitForSync();
    const profiling = await startProfile();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const running = scheduler.run(stop.signal);
    const stats = scheduler.cycle.stats;
    await waitForAllBound(client, scheduler, informers, pods, workload);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await profiling?.(`${workload}-${nodes}x${pods}`);
    if (stats.failed || stats.bindErrors) process.stderr.write(`${workload}: ${stats.failed} failed attempts, ${stats.bindErrors} bind errors\n`);
    stop.abort();
    await running;
    await recorder.flush().catch(() => {});
    return { workload, nodes, pods, seconds, podsPerSec: stats.scheduled / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  });
}

export function printSchedulerFigures(rows: SchedulerFigures[]): void {
  // pods per CPU-second is what the process could do on a core of its own: the wall-clock
  // rate drops whenever other work shares the machine.
  console.log('| scheduler workload | nodes | pods | seconds | pods/s | CPU s | pods per CPU-second |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(`| ${r.workload} | ${r.nodes} | ${r.pods} | ${r.seconds.toFixed(2)} | ${Math.round(r.podsPerSec)} | ${r.cpuSeconds.toFixed(2)} | ${Math.round(r.pods / r.cpuSeconds)} |`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const nodes = Number(process.env.BENCH_NODES ?? 5000);
  const rows = [
    await benchScheduler('plain', nodes, Number(process.env.BENCH_PODS ?? 10_000)),
    await benchScheduler('anti-affinity', nodes, Number(process.env.BENCH_ANTI_PODS ?? 2000)),
  ];
  printSchedulerFigures(rows);
}
