/**
 * Shared by the in-process cluster benchmarks (deployment, sim-scale): a whole `skiff server`
 * (API server on the memory store, controller manager, scheduler, simulated nodes) started in
 * this process, an admin client over the in-process transport, and a poll loop. Prints
 * nothing itself; benchmarks never assert on time.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/api/object.ts';
import { refs } from '../src/client/refs.ts';
import { Client } from '../src/client/rest.ts';
import { startCluster, type TestCluster } from '../test/support/server.ts';

export interface BenchCluster {
  cluster: TestCluster;
  client: Client;
}

const admin = { username: 'bench-admin', groups: ['system:masters', 'system:authenticated'] };

/** Starts a server with `nodes` simulated nodes and waits until all of them are Ready. */
export async function startSimCluster(nodes: number, timeoutMs = 600_000): Promise<BenchCluster> {
  const cluster = await startCluster({ datastore: 'memory', simNodes: nodes });
  const client = new Client(cluster.server.transportFor(admin));
  const nodeRc = client.resource<Node & KubeObject>(refs.nodes);
  await until(async () => {
    const list = await nodeRc.list({});
    return list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= nodes;
  }, timeoutMs, `${nodes} Ready nodes`);
  return { cluster, client };
}

/** Polls `check` every `everyMs` until it is true; throws after the deadline. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 100): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const mb = (bytes: number) => bytes / 2 ** 20;
