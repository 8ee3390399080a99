/**
 * @module `skiff agent` flags and their defaults.
 */
import { homedir, hostname } from 'node:os';
import { join as join_ } from 'node:path';
import { parseArgs } from 'node:util';
import { proxyModes, type ProxyMode } from '../server/service-proxy.ts';
import type { SimOptions } from '../../kubelet/sim/options.ts';

export interface AgentOptions {
  runtime: 'sim' | 'process' | 'runc' | 'crun';
  /** InternalIP the node reports, also the kubelet endpoint's address (default: the first non-loopback IPv4). */
  nodeIP?: string;
  /** Pod networking with `--runtime runc|crun`: the node bridge, the ranges pods route via it, forwarding. */
  network: { bridge: string; clusterCidr: string; serviceCidr: string; enableIpForward: boolean };
  /** `--proxy-mode`: the service proxy's backend (auto: nftables for runc/crun as root, else userspace). */
  proxyMode: ProxyMode;
  /** `--cluster-dns` / `--cluster-domain`: what pods with dnsPolicy ClusterFirst resolve with. */
  dns: { clusterDNS: string[]; clusterDomain: string };
  name: string;
  /** Kubeconfig to connect with; empty when joining with `--server` and `--token`. */
  kubeconfig: string;
  context?: string;
  /** Join with a bootstrap token: the server URL and the token (`<data-dir>/token` of the server). */
  join?: { server: string; token: string };
  /** Where the agent keeps its node certificate (default ~/.skiff/agent/<name>). */
  dataDir: string;
  sim: Partial<SimOptions>;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** The kubelet HTTPS endpoint (upstream kubelet flags); served only with a certificate. */
  kubeletServer?: { port: number; certFile: string; keyFile: string; clientCAFile?: string };
  /** The kubelet endpoint's port (`--kubelet-port`), also when its certificate comes from a CSR. */
  kubeletPort: number;
}

export const agentHelp = `usage: skiff agent --runtime sim [flags]

  --runtime RUNTIME              container runtime: sim (pods run on a timer, no processes), process
                                 (a real kubelet running each container's command as a host process, no isolation),
                                 runc or crun (a real kubelet running OCI containers, pods on the node bridge; needs root)
  --node-ip ADDR                 InternalIP of the node (default: first non-loopback IPv4)
  --bridge NAME                  node bridge for pods with --runtime runc|crun (default skiff0)
  --cluster-cidr CIDR            pod network of the cluster, routed from pods via the bridge (default 10.42.0.0/16)
  --service-cidr CIDR            service network, routed from pods via the bridge (default 10.43.0.0/16)
  --cluster-dns IP[,IP]          DNS server address for pods (default 10.43.0.10, the kube-dns Service)
  --cluster-domain DOMAIN        cluster DNS domain (default cluster.local)
  --proxy-mode MODE              service proxy: auto (nftables for runc/crun as root, else userspace), nftables,
                                 userspace or none (default auto)
  --enable-ip-forward            set net.ipv4.ip_forward=1 even in the initial network namespace (by default
                                 only when the agent runs in a network namespace of its own)
  --tls-cert-file FILE           serving certificate of the kubelet endpoint (--runtime process); without it there is none
  --tls-private-key-file FILE    its key
  --client-ca-file FILE          CA of the API server's client certificate (default: the cluster CA)
  --kubelet-port PORT            port of the kubelet endpoint (default 10250; 0 picks a free port)
  --name NAME                    node name (default: this machine's hostname); --node-name is the same
  --kubeconfig FILE              kubeconfig of the server to join (default: $KUBECONFIG)
  --context NAME                 kubeconfig context (default: current-context)
  --server URL                   server to join with --token (instead of --kubeconfig)
  --token TOKEN                  bootstrap (join) token of the server, as in its data dir's "token" file
  --data-dir DIR                 where the node keeps its issued certificate (default: ~/.skiff/agent/NAME)
  --cpu N                        cpu capacity (default 32)
  --memory QTY                   memory capacity (default 256Gi)
  --max-pods N                   pod capacity (default 110)
  --lease-renew-interval MS      node Lease renewal period in ms (default 10000)
  --node-status-report MS        longest gap between node status writes in ms (default 300000)
  --pod-run-seconds S            run time of pods with restartPolicy Never/OnFailure (default 1)
  --pod-ready-seconds S          delay from container start to ready (default 0)
  --pod-stop-seconds S           simulated stop time; a pod goes after min(grace, this) (default 0.5)
  --log-level LEVEL              debug, info (default), warn, error
`;

function num(flag: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${flag}: not a number >= ${min}: ${v}`);
  return n;
}

export function parseAgentOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): AgentOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      runtime: { type: 'string' },
      'node-ip': { type: 'string' },
      bridge: { type: 'string' },
      'proxy-mode': { type: 'string' },
      'cluster-dns': { type: 'string' },
      'cluster-domain': { type: 'string' },
      'cluster-cidr': { type: 'string' },
      'service-cidr': { type: 'string' },
      'enable-ip-forward': { type: 'boolean' },
      'node-name': { type: 'string' },
      'tls-cert-file': { type: 'string' },
      'tls-private-key-file': { type: 'string' },
      'client-ca-file': { type: 'string' },
      'kubelet-port': { type: 'string' },
      name: { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      server: { type: 'string' },
      token: { type: 'string' },
      'data-dir': { type: 'string' },
      cpu: { type: 'string' },
      memory: { type: 'string' },
      'max-pods': { type: 'string' },
      'lease-renew-interval': { type: 'string' },
      'node-status-report': { type: 'string' },
      'pod-run-seconds': { type: 'string' },
      'pod-ready-seconds': { type: 'string' },
      'pod-stop-seconds': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const runtime = values.runtime ?? 'sim';
  if (runtime !== 'sim' && runtime !== 'process' && runtime !== 'runc' && runtime !== 'crun') throw new Error(`--runtime: must be sim, process, runc or crun, not "${runtime}"`);
  const cidr = (flag: string, v: string | undefined, dflt: string) => {
    const c = v ?? dflt;
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(c)) throw new Error(`--${flag}: not an IPv4 CIDR: ${c}`);
    return c;
  };
  const bridge = values.bridge ?? 'skiff0';
  // A Linux interface name: at most 15 bytes, no slash or blank.
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(bridge)) throw new Error(`--bridge: not an interface name: ${bridge}`);
  const proxyMode = (values['proxy-mode'] ?? 'auto') as ProxyMode;
  if (!proxyModes.includes(proxyMode)) throw new Error(`--proxy-mode: must be one of ${proxyModes.join(', ')}, not "${proxyMode}"`);
  const clusterDNS = (values['cluster-dns'] ?? '10.43.0.10').split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of clusterDNS) if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(a)) throw new Error(`--cluster-dns: not an IPv4 address: ${a}`);
  const dns = { clusterDNS, clusterDomain: values['cluster-domain'] ?? 'cluster.local' };
  const network = { bridge, clusterCidr: cidr('cluster-cidr', values['cluster-cidr'], '10.42.0.0/16'), serviceCidr: cidr('service-cidr', values['service-cidr'], '10.43.0.0/16'), enableIpForward: values['enable-ip-forward'] ?? false };
  if (values['node-ip'] !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(values['node-ip'])) throw new Error(`--node-ip: not an IPv4 address: ${values['node-ip']}`);
  if (values.name && values['node-name'] && values.name !== values['node-name']) throw new Error('--name and --node-name disagree');
  if (!!values.server !== !!values.token) throw new Error('--server and --token go together');
  if (values.server && !values.server.startsWith('https://')) throw new Error(`--server: must be an https:// URL: ${values.server}`);
  const join = values.server && values.token ? { server: values.server, token: values.token.trim() } : undefined;
  const kubeconfig = join ? '' : (values.kubeconfig ?? env.KUBECONFIG?.split(':')[0]);
  if (!join && !kubeconfig) throw new Error('--kubeconfig is required (or set KUBECONFIG), unless joining with --server and --token');
  const name = values.name ?? values['node-name'] ?? hostname().toLowerCase();
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) throw new Error(`--name: not a valid node name: ${name}`);
  const level = values['log-level'] ?? 'info';
  if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error') throw new Error('--log-level: must be debug, info, warn or error');
  const sim: Partial<SimOptions> = {};
  const capacity: Partial<SimOptions['capacity']> = {};
  if (values.cpu !== undefined) capacity.cpu = String(num('cpu', values.cpu, 1));
  if (values.memory !== undefined) {
    if (!/^\d+(\.\d+)?([KMGTPE]i?)?$/.test(values.memory)) throw new Error(`--memory: not a quantity: ${values.memory}`);
    capacity.memory = values.memory;
  }
  if (values['max-pods'] !== undefined) capacity.pods = String(num('max-pods', values['max-pods'], 1));
  if (Object.keys(capacity).length) sim.capacity = capacity as SimOptions['capacity'];
  const renew = num('lease-renew-interval', values['lease-renew-interval'], 1);
  if (renew !== undefined) sim.leaseRenewIntervalMs = renew;
  const report = num('node-status-report', values['node-status-report'], 1);
  if (report !== undefined) sim.nodeStatusReportMs = report;
  const run = num('pod-run-seconds', values['pod-run-seconds']);
  if (run !== undefined) sim.podRunMs = run * 1000;
  const ready = num('pod-ready-seconds', values['pod-ready-seconds']);
  if (ready !== undefined) sim.podReadyDelayMs = ready * 1000;
  const stop = num('pod-stop-seconds', values['pod-stop-seconds']);
  if (stop !== undefined) sim.podStopDelayMs = stop * 1000;
  const dataDir = values['data-dir'] ?? join_(homedir(), '.skiff', 'agent', name);
  if (!!values['tls-cert-file'] !== !!values['tls-private-key-file']) throw new Error('--tls-cert-file and --tls-private-key-file go together');
  const kubeletPort = num('kubelet-port', values['kubelet-port']) ?? 10250;
  if (!Number.isInteger(kubeletPort) || kubeletPort > 65535) throw new Error(`--kubelet-port: not a port number: ${values['kubelet-port']}`);
  const kubeletServer = values['tls-cert-file'] && values['tls-private-key-file']
    ? { port: kubeletPort, certFile: values['tls-cert-file'], keyFile: values['tls-private-key-file'], ...(values['client-ca-file'] ? { clientCAFile: values['client-ca-file'] } : {}) }
    : undefined;
  return { runtime, nodeIP: values['node-ip'], network, name, kubeconfig: kubeconfig ?? '', context: values.context, join, dataDir, sim, logLevel: level, kubeletPort, proxyMode, dns, ...(kubeletServer ? { kubeletServer } : {}) };
}
