/**
 * @module `skiff server` flags and their defaults.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export interface ServerOptions {
  dataDir: string;
  port: number;
  bindAddress: string;
  tlsSans: string[];
  datastore: string;
  disableAgent: boolean;
  /** Simulated (KWOK-style) nodes to register; 0 for none. */
  simNodes: number;
  /** Pod CIDR of the cluster; node IPAM hands each node a /24 of it. */
  clusterCidr: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const serverHelp = `usage: skiff server [flags]

  --data-dir DIR        state, certificates and kubeconfig (default: $XDG_STATE_HOME/skiff or ~/.skiff)
  --port PORT           HTTPS port of the API server (default 6443; 0 picks a free port)
  --bind-address ADDR   address to listen on (default 127.0.0.1)
  --tls-san NAME        extra DNS name or IP for the serving certificate (repeatable)
  --datastore STORE     sqlite (default), memory, or etcd://host:port[,host:port...]
  --disable-agent       do not run a node agent for this machine
  --sim-nodes N         register N simulated nodes (pods on them run on a timer, no processes)
  --cluster-cidr CIDR   pod network of the cluster (default 10.42.0.0/16)
  --log-level LEVEL     debug, info (default), warn, error
`;

export function defaultDataDir(): string {
  const state = process.env.XDG_STATE_HOME;
  return state ? join(state, 'skiff') : join(homedir(), '.skiff');
}

export function parseServerOptions(argv: string[]): ServerOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      'bind-address': { type: 'string' },
      'tls-san': { type: 'string', multiple: true },
      datastore: { type: 'string' },
      'disable-agent': { type: 'boolean' },
      'sim-nodes': { type: 'string' },
      'cluster-cidr': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const port = values.port === undefined ? 6443 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port number: ${values.port}`);
  const level = values['log-level'] ?? 'info';
  if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error')
    throw new Error(`--log-level: must be debug, info, warn or error`);
  const simNodes = values['sim-nodes'] === undefined ? 0 : Number(values['sim-nodes']);
  if (!Number.isInteger(simNodes) || simNodes < 0) throw new Error(`--sim-nodes: not a count: ${values['sim-nodes']}`);
  const clusterCidr = values['cluster-cidr'] ?? '10.42.0.0/16';
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(clusterCidr)) throw new Error(`--cluster-cidr: not an IPv4 CIDR: ${clusterCidr}`);
  return {
    dataDir: values['data-dir'] ?? defaultDataDir(),
    port,
    bindAddress: values['bind-address'] ?? '127.0.0.1',
    tlsSans: values['tls-san'] ?? [],
    datastore: values.datastore ?? 'sqlite',
    disableAgent: values['disable-agent'] ?? false,
    simNodes,
    clusterCidr,
    logLevel: level,
  };
}
