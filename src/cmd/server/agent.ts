/**
 * @module The node agent embedded in `skiff server` (as k3s runs its kubelet): unless
 * `--disable-agent`, a kubelet for the local node named `--node-name` (default: the host
 * name) with `--runtime runc|process|sim|auto`. `auto` picks runc when running as root with
 * runc or crun installed and the runc runtime built in, and otherwise `process`, saying so at
 * start-up. State lives under `<dataDir>/agent/<node>/`. Stopping the server stops the kubelet
 * but leaves pod processes running (restart safety); `killAgentProcesses` ends them.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { UserInfo } from '../../apiserver/types.ts';
import { Client } from '../../client/rest.ts';
import type { Transport } from '../../client/transport.ts';
import { Kubelet, type KubeletOptions } from '../../kubelet/kubelet.ts';
import type { Runtime } from '../../kubelet/runtime/interface.ts';
import type { StreamHandlers } from '../../kubelet/server/handlers.ts';
import { streamHandlers } from '../../kubelet/server/streams/stream-handlers.ts';
import { issueCert, type KeyPairPem } from '../../pki/certs.ts';
import { killAllProcesses, ProcessRuntime } from '../../kubelet/runtime/process.ts';
import { createRuncRuntime, destroyRuncState } from '../../kubelet/runtime/runc/index.ts';
import type { Registry } from 'prom-client';
import { inOwnNetns } from '../agent/node-net.ts';
import { proxyModes, startNodeProxy, type ProxyMode } from './service-proxy.ts';
import { silentLogger, type Logger } from '../../util/log.ts';
import { startHostGwRoutes } from '../../podnet/host-gw.ts';

export type RuntimeChoice = 'runc' | 'crun' | 'process' | 'sim' | 'auto';

/** Pod networking of the runc runtime beyond the bridge: CIDRs pods route via their gateway. */
export interface RuncNetworkOptions {
  podRoutes?: string[];
}

/** Kubelet tunables tests may shorten. */
export type AgentTunables = Pick<KubeletOptions, 'leaseRenewMs' | 'nodeStatusMs' | 'resyncMs' | 'relistMs' | 'backoffInitialMs' | 'backoffMaxMs' | 'useTmpfs' | 'clusterDNS' | 'clusterDomain' | 'metrics'>;

export interface AgentHandle {
  nodeName?: string;
  runtime?: string;
  done: Promise<unknown>;
}


function installed(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The runtime to run pods with; `auto` falls back to `process` and says why. */
export async function selectRuntime(choice: RuntimeChoice, agentDir: string, logger: Logger, say: (line: string) => void, bridge = 'skiff0', net: RuncNetworkOptions = {}): Promise<Runtime> {
  let kind = choice;
  if (kind === 'auto') {
    const root = process.getuid?.() === 0;
    const oci = installed('runc') || installed('crun');
    kind = root && oci ? 'runc' : 'process';
    if (kind === 'process')
      say(`runtime auto: using "process" (${!root ? 'not running as root' : 'neither runc nor crun is installed'}): pods run as plain host processes without isolation`);
  }
  if (kind === 'runc' || kind === 'crun') {
    // Remembered, so clean-up removes this node's bridge and no other.
    await mkdir(join(agentDir, 'runc'), { recursive: true });
    await writeFile(join(agentDir, 'runc', 'bridge-name'), bridge);
    // `runc` keeps the runtime's own choice (the binary that made existing state, else runc).
    const binary = choice === 'crun' ? 'crun' : 'auto';
    return await createRuncRuntime({ root: join(agentDir, 'runc'), dataDir: agentDir, logger, bridge, binary, ...(net.podRoutes ? { podRoutes: net.podRoutes } : {}) });
  }
  if (kind === 'sim') throw new Error('--runtime sim: use --sim-nodes for simulated nodes');
  return new ProcessRuntime(join(agentDir, 'process'));
}

/** This machine's address for a remote agent: the first non-internal IPv4, else loopback. */
export function hostAddress(): string {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

export async function startAgent(
  transportFor: (user: UserInfo) => Transport,
  logger: Logger,
  signal: AbortSignal,
  o: {
    dataDir: string;
    disabled: boolean;
    runtime?: string;
    nodeName?: string;
    /** The runc runtime's node bridge (default skiff0). */
    bridge?: string;
    tunables?: Partial<AgentTunables>;
    /** Keep host-gw routes to other nodes' podCIDRs (runc only). Off by default: the embedded node usually shares the host's netns, whose routes are not ours. */
    hostGwRoutes?: boolean;
    /** `--proxy-mode` (default auto) and the service CIDR the proxy routes in a node netns. */
    proxy?: { mode?: string; serviceCidr: string; clusterCidr?: string; registry?: Registry };
    /** The kubelet endpoint: its serving certificate is issued by this CA, which also signs the API server's client certificate. */
    kubeletServer?: { ca: KeyPairPem; port: number; handlers?: StreamHandlers };
  },
): Promise<AgentHandle> {
  if (o.disabled) return { done: Promise.resolve() };
  if (!['runc', 'process', 'auto'].includes(o.runtime ?? 'auto')) throw new Error(`--runtime: must be runc, process or auto, not "${o.runtime}"`);
  const nodeName = (o.nodeName ?? hostname()).toLowerCase();
  const agentDir = join(o.dataDir, 'agent', nodeName);
  const log = logger.child({ component: 'kubelet', node: nodeName });
  // runc pods route the service CIDR to their gateway, where the proxy (redirect or nftables) takes it.
  const runtime = await selectRuntime((o.runtime ?? 'auto') as RuntimeChoice, agentDir, log, (line) => {
    log.warn(line);
    process.stderr.write(`skiff server: ${line}\n`);
  }, o.bridge, { podRoutes: [o.proxy?.serviceCidr ?? '10.43.0.0/16'] });
  const user: UserInfo = { username: `system:node:${nodeName}`, groups: ['system:nodes', 'system:authenticated'] };
  const client = new Client(transportFor(user), { userAgent: `kubelet/${nodeName}`, fieldManager: 'kubelet' });
  let server: KubeletOptions['server'];
  if (o.kubeletServer) {
    const { ca, port, handlers } = o.kubeletServer;
    const serving = await issueCert(ca, { commonName: `system:node:${nodeName}`, organizations: ['system:nodes'], usage: 'server', sans: ['127.0.0.1', 'localhost', nodeName] });
    // The embedded node is reached at loopback only.
    server = { cert: serving.cert, key: serving.key, clientCA: ca.cert, port, address: '127.0.0.1', handlers: handlers ?? streamHandlers({ runtime }) };
  }
  const kubelet = new Kubelet({ nodeName, address: '127.0.0.1', agentDir, runtime, client, logger: log, ...o.tunables, ...(server ? { server } : {}) });
  if (o.hostGwRoutes && runtime.name === 'runc') startHostGwRoutes({ client, nodeName, logger: log }, signal);
  const mode = (o.proxy?.mode ?? 'auto') as ProxyMode;
  if (!proxyModes.includes(mode)) throw new Error(`--proxy-mode: must be one of ${proxyModes.join(', ')}, not "${mode}"`);
  const ownNetns = inOwnNetns();
  // On the host's own network auto means userspace: nftables rules there would need the host's
  // forwarding and a service route on the host; a server in a netns of its own gets nftables.
  const proxy = await startNodeProxy({
    client, nodeName, runtime: runtime.name, mode: mode === 'auto' && !ownNetns ? 'userspace' : mode, logger: log, ownNetns,
    serviceCidr: o.proxy?.serviceCidr ?? '10.43.0.0/16', ...(o.proxy?.clusterCidr ? { clusterCidr: o.proxy.clusterCidr } : {}), bridge: o.bridge ?? 'skiff0', ...(o.proxy?.registry ? { registry: o.proxy.registry } : {}),
  }, signal);
  const done = kubelet.run(signal).then(() => proxy?.stop()).catch((err: unknown) => log.error('kubelet stopped', { err: (err as Error).message }));
  return { nodeName, runtime: runtime.name, done };
}

/** Kills every pod process the agents under `dataDir` started (test cleanup, uninstall). */
export async function killAgentProcesses(dataDir: string): Promise<void> {
  for (const node of await readdir(join(dataDir, 'agent')).catch(() => [] as string[])) {
    await killAllProcesses(join(dataDir, 'agent', node, 'process'));
    // Tests call this to leave nothing behind: the node bridge goes too.
    const runcDir = join(dataDir, 'agent', node, 'runc');
    const bridge = await readFile(join(runcDir, 'bridge-name'), 'utf8').then((b) => b.trim(), () => undefined);
    if (bridge) await destroyRuncState(runcDir, silentLogger, { removeBridge: true, bridge }).catch(() => {});
  }
  const mounts = await import('node:fs/promises').then((fs) => fs.readFile('/proc/mounts', 'utf8')).catch(() => '');
  const root = join(dataDir, 'agent') + '/';
  for (const m of mounts.split('\n').map((l) => l.split(' ')[1] ?? '').filter((p) => p.startsWith(root)).reverse()) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
