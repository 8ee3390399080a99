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
  /** Container runtime of the embedded agent: runc, process, auto (default). */
  runtime?: string;
  /** Node name of the embedded agent (default: the host name). */
  nodeName?: string;
  /** Port of the built-in OCI registry (0 picks a free one, -1 disables it; unset: a free one). */
  registryPort?: number;
  /** Address the registry listens on (default 127.0.0.1). */
  registryBindAddress?: string;
  /** Authentication flags (upstream kube-apiserver names); all optional. */
  auth?: AuthenticationOptions;
}

export interface AuthenticationOptions {
  tokenAuthFile?: string;
  oidcIssuerUrl?: string;
  oidcClientId?: string;
  oidcUsernameClaim?: string;
  oidcUsernamePrefix?: string;
  oidcGroupsClaim?: string;
  oidcGroupsPrefix?: string;
  oidcCaFile?: string;
  webhookConfigFile?: string;
  /** Requests without credentials become system:anonymous (default false). */
  anonymousAuth?: boolean;
}

export const serverHelp = `usage: skiff server [flags]

  --data-dir DIR        state, certificates and kubeconfig (default: $XDG_STATE_HOME/skiff or ~/.skiff)
  --port PORT           HTTPS port of the API server (default 6443; 0 picks a free port)
  --bind-address ADDR   address to listen on (default 127.0.0.1)
  --tls-san NAME        extra DNS name or IP for the serving certificate (repeatable)
  --datastore STORE     sqlite (default), memory, or etcd://host:port[,host:port...]
  --disable-agent       do not run a node agent for this machine
  --runtime RUNTIME     runtime of the node agent: runc, process or auto (default: runc when root and installed, else process)
  --node-name NAME      node name of the node agent (default: this machine's hostname)
  --sim-nodes N         register N simulated nodes (pods on them run on a timer, no processes)
  --cluster-cidr CIDR   pod network of the cluster (default 10.42.0.0/16)
  --log-level LEVEL     debug, info (default), warn, error
  --token-auth-file FILE          static bearer tokens (CSV: token,user,uid,"group1,group2")
  --oidc-issuer-url URL           accept ID tokens of this OpenID Connect issuer (https)
  --oidc-client-id ID             audience the ID tokens must carry (required with the issuer)
  --oidc-username-claim CLAIM     claim that names the user (default sub)
  --oidc-username-prefix PREFIX   prefix of OIDC usernames (default "<issuer>#" unless the claim is email; "-": none)
  --oidc-groups-claim CLAIM       claim with the user's groups
  --oidc-groups-prefix PREFIX     prefix of OIDC group names
  --oidc-ca-file FILE             CA of the issuer's serving certificate
  --authentication-token-webhook-config-file FILE  kubeconfig of a TokenReview webhook
  --anonymous-auth BOOL           accept requests without credentials as system:anonymous (default false)
  --registry-port PORT  port of the built-in OCI image registry (default 5000; 0 picks a free port, -1 disables it)
  --registry-bind-address ADDR  address the registry listens on (default 127.0.0.1)
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
      runtime: { type: 'string' },
      'node-name': { type: 'string' },
      'sim-nodes': { type: 'string' },
      'cluster-cidr': { type: 'string' },
      'log-level': { type: 'string' },
      'token-auth-file': { type: 'string' },
      'oidc-issuer-url': { type: 'string' },
      'oidc-client-id': { type: 'string' },
      'oidc-username-claim': { type: 'string' },
      'oidc-username-prefix': { type: 'string' },
      'oidc-groups-claim': { type: 'string' },
      'oidc-groups-prefix': { type: 'string' },
      'oidc-ca-file': { type: 'string' },
      'authentication-token-webhook-config-file': { type: 'string' },
      'anonymous-auth': { type: 'string' },
      'registry-port': { type: 'string' },
      'registry-bind-address': { type: 'string' },
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
  const registryPort = values['registry-port'] === undefined ? 5000 : Number(values['registry-port']);
  if (!Number.isInteger(registryPort) || registryPort < -1 || registryPort > 65535)
    throw new Error(`--registry-port: not a port number: ${values['registry-port']}`);
  if (values['oidc-issuer-url'] && !values['oidc-client-id']) throw new Error('--oidc-client-id is required with --oidc-issuer-url');
  const anon = values['anonymous-auth'] ?? 'false';
  if (anon !== 'true' && anon !== 'false') throw new Error('--anonymous-auth: must be true or false');
  const auth: AuthenticationOptions = {
    tokenAuthFile: values['token-auth-file'],
    oidcIssuerUrl: values['oidc-issuer-url'],
    oidcClientId: values['oidc-client-id'],
    oidcUsernameClaim: values['oidc-username-claim'],
    oidcUsernamePrefix: values['oidc-username-prefix'],
    oidcGroupsClaim: values['oidc-groups-claim'],
    oidcGroupsPrefix: values['oidc-groups-prefix'],
    oidcCaFile: values['oidc-ca-file'],
    webhookConfigFile: values['authentication-token-webhook-config-file'],
    anonymousAuth: anon === 'true',
  };
  return {
    auth,
    registryPort,
    registryBindAddress: values['registry-bind-address'] ?? '127.0.0.1',
    dataDir: values['data-dir'] ?? defaultDataDir(),
    port,
    bindAddress: values['bind-address'] ?? '127.0.0.1',
    tlsSans: values['tls-san'] ?? [],
    datastore: values.datastore ?? 'sqlite',
    disableAgent: values['disable-agent'] ?? false,
    runtime: values.runtime ?? 'auto',
    nodeName: values['node-name'],
    simNodes,
    clusterCidr,
    logLevel: level,
  };
}
