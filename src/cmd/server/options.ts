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
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const serverHelp = `usage: skiff server [flags]

  --data-dir DIR        state, certificates and kubeconfig (default: $XDG_STATE_HOME/skiff or ~/.skiff)
  --port PORT           HTTPS port of the API server (default 6443; 0 picks a free port)
  --bind-address ADDR   address to listen on (default 127.0.0.1)
  --tls-san NAME        extra DNS name or IP for the serving certificate (repeatable)
  --datastore STORE     sqlite (default), memory, or etcd://host:port[,host:port...]
  --disable-agent       do not run a node agent for this machine
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
  return {
    dataDir: values['data-dir'] ?? defaultDataDir(),
    port,
    bindAddress: values['bind-address'] ?? '127.0.0.1',
    tlsSans: values['tls-san'] ?? [],
    datastore: values.datastore ?? 'sqlite',
    disableAgent: values['disable-agent'] ?? false,
    logLevel: level,
  };
}
