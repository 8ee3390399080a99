/**
 * Memory of the whole server at scale: 1000 simulated nodes and 30,000 Running pods (30
 * Deployments of 1000 replicas), everything in this one process — API server on the memory
 * store with its watch cache, controller manager, scheduler and the simulated node pool.
 * Reports the process RSS and V8 heap with only the nodes, then with every pod Running, and
 * the process's CPU time while the pods came up (steadier than wall-clock seconds on a shared
 * machine). The driver adds little: it creates 30 Deployments and polls their status. Prints
 * figures; never asserts on time.
 *
 *   node --expose-gc --import tsx bench/sim-scale.ts   (BENCH_SIM_NODES, BENCH_SIM_PODS, BENCH_PROGRESS=1)
 */
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../src/api/object.ts';
import { refs } from '../src/client/refs.ts';
import { mb, startSimCluster, until } from './cluster.ts';

export interface SimScaleFigures {
  nodes: number;
  pods: number;
  /** Start → every node Ready. */
  nodesReadySeconds: number;
  /** First Deployment created → every pod Running (available). */
  podsRunningSeconds: number;
  /** CPU time (user + system) of the whole process over podsRunningSeconds. */
  podsCpuSeconds: number;
  idleRssMb: number;
  rssMb: number;
  heapUsedMb: number;
}

const perDeployment = 1000;

function deployment(i: number, replicas: number): Deployment & KubeObject {
  const labels = { app: `scale-${i}` };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `scale-${i}`, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
    },
  };
}

/** RSS after letting V8 collect what it can (when run with --expose-gc). */
function settledRss(): { rss: number; heapUsed: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

export async function benchSimScale(nodes: number, pods: number): Promise<SimScaleFigures> {
  const t0 = performance.now();
  const { cluster, client } = await startSimCluster(nodes);
  try {
    const nodesReadySeconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    const idle = settledRss();
    const deploys = client.resource<Deployment & KubeObject>(refs.deployments);
    const count = Math.ceil(pods / perDeployment);
    const t1 = performance.now();
    const cpu1 = process.cpuUsage();
    for (let i = 0; i < count; i++) await deploys.create(deployment(i, Math.min(perDeployment, pods - i * perDeployment)));
    await until(async () => {
      const list = await deploys.list({ namespace: 'default' });
      const available = list.items.reduce((s, d) => s + (d.status?.availableReplicas ?? 0), 0);
      if (process.env.BENCH_PROGRESS) process.stderr.write(`sim-scale: ${available}/${pods} available after ${((performance.now() - t1) / 1000).toFixed(0)} s, rss ${mb(process.memoryUsage().rss).toFixed(0)} MB\n`);
      return available >= pods;
    }, 1_800_000, `${pods} available pods`, 2000);
    const podsRunningSeconds = (performance.now() - t1) / 1000;
    const cpu = process.cpuUsage(cpu1);
    const podsCpuSeconds = (cpu.user + cpu.system) / 1e6;
    await new Promise((r) => setTimeout(r, 5000));
    const full = settledRss();
    return { nodes, pods, nodesReadySeconds, podsRunningSeconds, podsCpuSeconds, idleRssMb: mb(idle.rss), rssMb: mb(full.rss), heapUsedMb: mb(full.heapUsed) };
  } finally {
    await cluster.stop();
  }
}

export function printSimScaleFigures(rows: SimScaleFigures[]): void {
  console.log('| sim nodes | pods | nodes Ready | pods Running | CPU while pods came up | pods per CPU-s | RSS (nodes only) | RSS (all pods) | V8 heap used |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(`| ${r.nodes} | ${r.pods} | ${r.nodesReadySeconds.toFixed(1)} s | ${r.podsRunningSeconds.toFixed(1)} s | ${r.podsCpuSeconds.toFixed(1)} s | ${(r.pods / r.podsCpuSeconds).toFixed(0)} | ${r.idleRssMb.toFixed(0)} MB | ${r.rssMb.toFixed(0)} MB | ${r.heapUsedMb.toFixed(0)} MB |`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printSimScaleFigures([await benchSimScale(Number(process.env.BENCH_SIM_NODES ?? 1000), Number(process.env.BENCH_SIM_PODS ?? 30_000))]);
}
