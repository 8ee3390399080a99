/**
 * Starts a real Skiff server for a test: real HTTPS on a free loopback port, its own data dir,
 * and a kubectl wired to its admin kubeconfig. Everything is removed on stop.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerOptions } from '../../src/cmd/server/options.ts';
import type { SimOptions } from '../../src/kubelet/sim/options.ts';
import { runServer, type RunningServer } from '../../src/cmd/server/run.ts';
import { killAgentProcesses, type AgentTunables } from '../../src/cmd/server/agent.ts';
import { silentLogger } from '../../src/util/log.ts';
import { kubectlFor, type Kubectl } from './kubectl.ts';

export interface TestCluster {
  server: RunningServer;
  dataDir: string;
  kubectl: Kubectl;
  /** Stops the server, keeping the data dir (for restart tests). */
  stopServer(): Promise<void>;
  /** Starts a new server on the same data dir. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  datastore?: string;
  dataDir?: string;
  /** Simulated nodes to register (`--sim-nodes`). */
  simNodes?: number;
  /** Overrides of any server option. */
  server?: Partial<ServerOptions>;
  /** Tunables handed to the controllers (short test timings). */
  controllerOptions?: Record<string, number | string | boolean>;
  /** Tunables of the simulated nodes (short Lease renewals for node-failure tests). */
  simOptions?: Partial<SimOptions>;
  /** Tunables of the embedded agent (with `server: { disableAgent: false }`). */
  agentOptions?: Partial<AgentTunables>;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'skiff-e2e-')));
  const home = await mkdtemp(join(tmpdir(), 'skiff-home-'));
  const start = () =>
    runServer(
      {
        dataDir,
        port: 0,
        bindAddress: '127.0.0.1',
        tlsSans: [],
        datastore: opts.datastore ?? 'sqlite',
        disableAgent: true,
        simNodes: opts.simNodes ?? 0,
        clusterCidr: '10.42.0.0/16',
        logLevel: 'error',
        ...opts.server,
      },
      { logger: silentLogger, controllerOptions: opts.controllerOptions, simOptions: opts.simOptions, agentOptions: opts.agentOptions },
    );
  const cluster: TestCluster = {
    server: await start(),
    dataDir,
    kubectl: undefined as unknown as Kubectl,
    async stopServer() {
      await cluster.server.stop();
    },
    async restart() {
      cluster.server = await start();
      cluster.kubectl = kubectlFor(cluster.server.kubeconfigPath, home);
    },
    async stop() {
      await cluster.server.stop().catch(() => {});
      // Pod processes outlive the server by design (restart safety): end them here.
      await killAgentProcesses(dataDir);
      await rm(dataDir, { recursive: true, force: true });
      await rm(home, { recursive: true, force: true });
    },
  };
  cluster.kubectl = kubectlFor(cluster.server.kubeconfigPath, home);
  return cluster;
}
