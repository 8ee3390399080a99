/**
 * @module Several "machines" on one box for pod-network tests: a host bridge (e.g. `sknn0`,
 * 10.80.0.1/24) with, per node, a network namespace `skn-<name>` wired into it by a veth and
 * addressed 10.80.0.(10+i); a real `skiff server` listening on the bridge address (its API and
 * registry), and per node a real `skiff agent --runtime runc` child process inside that
 * namespace, joined with the server's bootstrap token. Everything is created and removed BY
 * NAME or PID; nothing else on the host is touched (no routes, no forwarding, no NAT).
 *
 * The kubelet pulls plain HTTP only from loopback registries (`src/kubelet/images/reference.ts`),
 * so each namespace also gets a tiny TCP forwarder from its own 127.0.0.1:<registry port> to the
 * server's registry: images are named `127.0.0.1:<port>/…` on every node.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killAgentProcesses } from '../../src/cmd/server/agent.ts';
import { runcSkipReason } from './busybox-image.ts';
import { startCluster, type ClusterOptions, type TestCluster } from './server.ts';

export interface NetnsNodesOptions {
  /** Host bridge name (≤ 15 bytes), e.g. `sknn0`. */
  bridge: string;
  /** First three octets of the /24, e.g. `10.80.0`: the host gets .1, node i gets .(10+i). */
  subnet: string;
  nodes: string[];
  cluster?: ClusterOptions;
  clusterCidr?: string;
  /** Extra `skiff agent` flags. */
  agentArgs?: string[];
}

export interface NetnsNode {
  name: string;
  netns: string;
  ip: string;
  bridge: string;
  dataDir: string;
  logFile: string;
  process: ChildProcess;
}

export interface NetnsNodes {
  cluster: TestCluster;
  nodes: NetnsNode[];
  /** The registry as the nodes see it (`127.0.0.1:<port>`), for image names. */
  registry: string;
  /** The registry as the host sees it (`<bridge address>:<port>`), for pushes. */
  registryPush: string;
  /** Runs a command inside a node's namespace. */
  inNode(name: string, cmd: string[]): string;
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, '../..');
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const tryIp = (...args: string[]) => {
  try {
    ip(...args);
  } catch {
    // already gone
  }
};

const forwarder = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
net.createServer((c) => { const u = net.connect(Number(port), host); c.pipe(u).pipe(c); u.on('error', () => c.destroy()); c.on('error', () => u.destroy()); })
  .listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

function waitForLine(p: ChildProcess, re: RegExp, ms: number): Promise<void> {
  return new Promise((resolve_, reject) => {
    const t = setTimeout(() => reject(new Error(`no "${re}" within ${ms} ms`)), ms);
    p.stdout?.on('data', (d: Buffer) => {
      if (re.test(d.toString())) {
        clearTimeout(t);
        resolve_();
      }
    });
    p.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`exited with ${code}`));
    });
  });
}

async function killByPid(p: ChildProcess, ms = 5000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null || !p.pid) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(t);
}

export async function startNetnsNodes(o: NetnsNodesOptions): Promise<NetnsNodes> {
  const hostIp = `${o.subnet}.1`;
  const work = await mkdtemp(join(tmpdir(), 'skiff-netns-nodes-'));
  const made = { bridge: false, netns: [] as string[], veths: [] as string[] };
  const children: ChildProcess[] = [];
  const nodes: NetnsNode[] = [];
  let cluster: TestCluster | undefined;
  const stop = async () => {
    for (const c of children) await killByPid(c);
    // Containers outlive their agent by design: end them, their cgroups, mounts and pod netns.
    await killAgentProcesses(work).catch(() => undefined);
    await cluster?.stop();
    for (const ns of made.netns) tryIp('netns', 'del', ns);
    for (const v of made.veths) tryIp('link', 'del', v);
    if (made.bridge) tryIp('link', 'del', o.bridge);
    await rm(work, { recursive: true, force: true });
  };
  try {
    if (existsSync(`/sys/class/net/${o.bridge}`)) throw new Error(`interface ${o.bridge} already exists`);
    ip('link', 'add', o.bridge, 'type', 'bridge');
    made.bridge = true;
    ip('addr', 'add', `${hostIp}/24`, 'dev', o.bridge);
    ip('link', 'set', o.bridge, 'up');
    o.nodes.forEach((name, i) => {
      const netns = `skn-${name}`;
      const veth = `sknv${i}-${o.bridge}`.slice(0, 15);
      if (existsSync(`/run/netns/${netns}`)) throw new Error(`netns ${netns} already exists`);
      ip('netns', 'add', netns);
      made.netns.push(netns);
      ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
      made.veths.push(veth);
      ip('link', 'set', veth, 'master', o.bridge, 'up');
      ip('-n', netns, 'addr', 'add', `${o.subnet}.${10 + i}/24`, 'dev', 'eth0');
      ip('-n', netns, 'link', 'set', 'eth0', 'up');
      ip('-n', netns, 'link', 'set', 'lo', 'up');
      nodes.push({ name, netns, ip: `${o.subnet}.${10 + i}`, bridge: `skn${i}br`, dataDir: join(work, 'agent', name), logFile: join(work, `${name}.log`), process: undefined as unknown as ChildProcess });
    });
    cluster = await startCluster({
      ...o.cluster,
      server: { bindAddress: hostIp, registryBindAddress: hostIp, registryPort: 0, clusterCidr: o.clusterCidr ?? '10.42.0.0/16', kubeletAddressCidrs: [`${o.subnet}.0/24`], ...o.cluster?.server },
    });
    const regPort = cluster.server.registry.port;
    if (!regPort) throw new Error('the server registry is not running');
    const token = (await readFile(join(cluster.dataDir, 'token'), 'utf8')).trim();
    const apiPort = await serverPort(cluster.server.kubeconfigPath);
    for (const n of nodes) {
      const fwd = spawn('ip', ['netns', 'exec', n.netns, process.execPath, '-e', forwarder, hostIp, String(regPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(fwd);
      await waitForLine(fwd, /ready/, 10_000);
      await mkdir(n.dataDir, { recursive: true });
      const log = openSync(n.logFile, 'a');
      // nsenter, not `ip netns exec`: that also remounts /sys in a new mount namespace, which
      // hides the cgroup hierarchies runc needs (and the agent's mounts from the host's clean-up).
      n.process = spawn('nsenter', [
        `--net=/run/netns/${n.netns}`, process.execPath, '--import', 'tsx', join(root, 'bin/skiff.ts'), 'agent',
        '--server', `https://${hostIp}:${apiPort}`, '--token', token, '--runtime', 'runc', '--node-name', n.name,
        '--node-ip', n.ip, '--bridge', n.bridge, '--data-dir', n.dataDir, '--cluster-cidr', o.clusterCidr ?? '10.42.0.0/16',
        ...(o.agentArgs ?? []),
      ], { cwd: root, stdio: ['ignore', log, log] });
      closeSync(log);
      children.push(n.process);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const c = cluster;
  return {
    cluster: c,
    nodes,
    registry: `127.0.0.1:${c.server.registry.port}`,
    registryPush: `${hostIp}:${c.server.registry.port}`,
    inNode: (name, cmd) => execFileSync('ip', ['netns', 'exec', `skn-${name}`, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).toString(),
    stop,
  };
}

/** The API port, from the admin kubeconfig's server URL. */
async function serverPort(kubeconfigPath: string): Promise<string> {
  const m = /server:\s*https:\/\/[^:\s]+:(\d+)/.exec(await readFile(kubeconfigPath, 'utf8'));
  if (!m) throw new Error(`no server URL in ${kubeconfigPath}`);
  return m[1]!;
}

/** Why the netns-node tests cannot run here (root, runc, skopeo, busybox-static, nft), or false. */
export function netnsSkipReason(): string | false {
  const r = runcSkipReason();
  if (r) return r;
  try {
    execFileSync('sh', ['-c', 'command -v nft'], { stdio: 'ignore' });
  } catch {
    return 'nft not installed';
  }
  return false;
}
