/**
 * A 1000-replica Deployment from `kubectl apply` to every pod Running, on simulated nodes:
 * the whole server runs in this process (memory store, controllers, scheduler, sim nodes)
 * and the real kubectl applies the manifest over HTTPS. The clock starts before kubectl is
 * spawned and stops when the Deployment reports every replica available and every pod of
 * it is Running. Prints figures; never asserts on time.
 *
 *   node --import tsx bench/deployment.ts     (BENCH_REPLICAS, BENCH_SIM_NODES)
 */
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/api/object.ts';
import { refs } from '../src/client/refs.ts';
import { startSimCluster, until } from './cluster.ts';

export interface DeploymentFigures {
  replicas: number;
  nodes: number;
  /** kubectl apply → every pod Running and the Deployment's availableReplicas = replicas. */
  seconds: number;
  /** kubectl apply → the last pod bound to a node. */
  scheduledSeconds: number;
}

function manifest(replicas: number): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bench', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'bench' } },
      template: {
        metadata: { labels: { app: 'bench' } },
        spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  });
}

export async function benchDeployment(replicas: number, nodes: number): Promise<DeploymentFigures> {
  const { cluster, client } = await startSimCluster(nodes);
  try {
    const pods = client.resource<Pod & KubeObject>(refs.pods);
    const deploys = client.resource<Deployment & KubeObject>(refs.deployments);
    const t0 = performance.now();
    await cluster.kubectl.ok(['apply', '-f', '-'], { input: manifest(replicas) });
    let scheduledAt = 0;
    await until(async () => {
      const list = await pods.list({ namespace: 'default', labelSelector: 'app=bench' });
      const live = list.items.filter((p) => !p.metadata?.deletionTimestamp);
      if (!scheduledAt && live.length >= replicas && live.every((p) => p.spec?.nodeName)) scheduledAt = performance.now();
      if (live.length < replicas || !live.every((p) => p.status?.phase === 'Running')) return false;
      const d = await deploys.get('bench', 'default');
      return d.status?.availableReplicas === replicas;
    }, 600_000, `${replicas} Running pods`, 250);
    const t1 = performance.now();
    return { replicas, nodes, seconds: (t1 - t0) / 1000, scheduledSeconds: ((scheduledAt || t1) - t0) / 1000 };
  } finally {
    await cluster.stop();
  }
}

export function printDeploymentFigures(rows: DeploymentFigures[]): void {
  console.log('| deployment replicas | sim nodes | apply → all scheduled | apply → all Running |');
  console.log('|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.replicas} | ${r.nodes} | ${r.scheduledSeconds.toFixed(2)} s | ${r.seconds.toFixed(2)} s |`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printDeploymentFigures([await benchDeployment(Number(process.env.BENCH_REPLICAS ?? 1000), Number(process.env.BENCH_SIM_NODES ?? 100))]);
}
