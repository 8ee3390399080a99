/**
 * @module A test cluster whose embedded node runs real runc containers: its own node bridge and
 * pod network (so runc clusters running side by side never share either), the busybox image
 * built and pushed to the server's registry, and the node Ready. `stop()` removes it all.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxImage, pushImage } from './busybox-image.ts';
import { eventually } from './kubectl.ts';
import { startCluster, type ClusterOptions, type TestCluster } from './server.ts';

export interface RuncCluster {
  cluster: TestCluster;
  /** The busybox image as the node pulls it. */
  image: string;
  /** A scratch directory of the test's own (the image layout is built in it); `stop()` removes it. */
  dir: string;
  stop(): Promise<void>;
}

export async function startRuncCluster(o: { nodeName: string; bridge: string; clusterCidr: string; cluster?: ClusterOptions }): Promise<RuncCluster> {
  const work = await mkdtemp(join(tmpdir(), `${o.nodeName}-`));
  let cluster: TestCluster | undefined;
  try {
    cluster = await startCluster({
      ...o.cluster,
      server: { disableAgent: false, runtime: 'runc', nodeName: o.nodeName, nodeBridge: o.bridge, clusterCidr: o.clusterCidr, ...o.cluster?.server },
      agentOptions: { resyncMs: 1000, relistMs: 250, ...o.cluster?.agentOptions },
    });
    const { layoutDir } = await buildBusyboxImage(work);
    await pushImage(layoutDir, cluster.server.registry.address!, 'busybox:1.36');
    const c = cluster;
    await eventually(async () => (await c.kubectl.ok(['get', 'node', o.nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True', 30_000, 'node Ready');
    return {
      cluster: c,
      image: `${c.server.registry.address}/busybox:1.36`,
      dir: work,
      async stop() {
        await c.stop();
        await rm(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await cluster?.stop();
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}
