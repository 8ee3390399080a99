/**
 * @module `skiff server` flags and their defaults.
 */
import { homedir } from 'node:os';
import { isIP } from 'node:net';
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
  /** Service ClusterIP range (`--service-cidr`); its first address is the `kubernetes` Service's. */
  serviceCidr?: string;
  /** NodePort range (`--service-node-port-range`), e.g. 30000-32767. */
  serviceNodePortRange?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Container runtime of the embedded agent: runc, process, auto (default). */
  runtime?: string;
  /** Node name of the embedded agent (default: the host name). */
  nodeName?: string;
  /** Bridge the runc runtime puts pods on (default skiff0). */
  nodeBridge?: string;
  /** The embedded node's service proxy (`--proxy-mode`): auto (userspace on the host's own network), nftables, userspace, none. */
  proxyMode?: string;
  /** Port of the built-in OCI registry (0 picks a free one, -1 disables it; unset: a free one). */
  registryPort?: number;
  /** Address the registry listens on (default 127.0.0.1). */
  registryBindAddress?: string;
  /** htpasswd-style file (`--registry-htpasswd`): the registry then requires HTTP Basic auth. */
  registryHtpasswd?: string;
  /** Service IP of the cluster DNS that pods' resolv.conf names (kubelet --cluster-dns). */
  clusterDns?: string;
  /** Cluster domain (kubelet --cluster-domain, default cluster.local). */
  clusterDomain?: string;
  /** UDP+TCP port of the cluster DNS server on 127.0.0.1 (0 picks a free one, -1 disables it). */
  dnsPort?: number;
  /** HTTP port of the built-in ingress controller on the bind address (0 picks a free one, -1 disables it). */
  ingressHttpPort?: number;
  /** HTTPS port of the built-in ingress controller (0 picks a free one, -1 disables it). */
  ingressHttpsPort?: number;
  /** Ingress worker processes (default one per CPU; 0 proxies in the server process). */
  ingressWorkers?: number;
  /** HTTPS port of the embedded agent's kubelet endpoint (flag default 10250; unset: a free one). */
  kubeletPort?: number;
  /** Besides loopback, the only addresses the API server dials kubelets at (default none). */
  kubeletAddressCidrs?: string[];
  /** Authentication flags (upstream kube-apiserver names); all optional. */
  auth?: AuthenticationOptions;
  /** EncryptionConfiguration file (default: DIR/tls/encryption-config.yaml, created on first start). */
  encryptionConfig?: string;
  /** Audit logging flags (upstream names); auditing is on with both a policy and a log path. */
  audit?: { policyFile?: string; logPath?: string; logMaxSizeMB?: number; logMaxBackups?: number };
  /** How often the built-in metrics server collects usage (metrics-server --metric-resolution, default 15 s). */
  metricResolutionMs?: number;
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
  --node-bridge NAME    bridge the runc runtime puts pods on (default skiff0)
  --proxy-mode MODE     service proxy of the node agent: auto (userspace; nftables when the server runs in a
                        network namespace of its own), nftables, userspace or none (default auto)
  --node-name NAME      node name of the node agent (default: this machine's hostname)
  --kubelet-port PORT   HTTPS port of the node agent's kubelet endpoint (default 10250; 0 picks a free port)
  --kubelet-address-cidrs CIDR,...  besides loopback, kubelet addresses the API server may dial (default: none)
  --sim-nodes N         register N simulated nodes (pods on them run on a timer, no processes)
  --cluster-cidr CIDR   pod network of the cluster (default 10.42.0.0/16)
  --service-cidr CIDR   ClusterIP range of Services (default 10.43.0.0/16)
  --service-node-port-range RANGE  NodePort range (default 30000-32767)
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
  --registry-htpasswd FILE  require HTTP Basic auth on the registry (user:password or user:{SHA}… lines)
  --cluster-dns IP      DNS service address written into pods' resolv.conf (default 10.43.0.10)
  --cluster-domain DOM  cluster domain served by the DNS server (default cluster.local)
  --dns-port PORT       port of the cluster DNS server on 127.0.0.1 (default 53 when root, else disabled; 0 picks a free port, -1 disables it)
  --ingress-http-port PORT   HTTP port of the built-in ingress controller (default 80; 0 picks a free port, -1 disables it)
  --ingress-https-port PORT  HTTPS port of the built-in ingress controller (default 443; 0 picks a free port, -1 disables it)
  --ingress-workers N        worker processes that proxy ingress traffic (default: one per CPU; 0 proxies in the server process)
  --encryption-config FILE      EncryptionConfiguration for data at rest (default: DIR/tls/encryption-config.yaml, generated)
  --audit-policy-file FILE      audit.k8s.io/v1 Policy deciding what is audited
  --audit-log-path PATH         audit events as JSON lines ("-": stdout)
  --audit-log-maxsize MB        rotate the audit log at this size (default 0: never)
  --audit-log-maxbackup N       rotated audit logs to keep (default 0: all)
  --metric-resolution DURATION  how often the metrics server collects usage for metrics.k8s.io (default 15s)
`;

/** A Go-style duration (`15s`, `500ms`, `1m30s`) in ms, at least 100 ms. */
function parseDurationMs(flag: string, v: string): number {
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...v.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const ms = parts.reduce((sum, m) => sum + Number(m[1]) * unit[m[2]!]!, 0);
  if (!parts.length || parts.map((m) => m[0]).join('') !== v || ms < 100) throw new Error(`--${flag}: not a duration of at least 100ms: ${v}`);
  return ms;
}

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
      'node-bridge': { type: 'string' },
      'proxy-mode': { type: 'string' },
      'sim-nodes': { type: 'string' },
      'cluster-cidr': { type: 'string' },
      'service-cidr': { type: 'string' },
      'service-node-port-range': { type: 'string' },
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
      'kubelet-port': { type: 'string' },
      'kubelet-address-cidrs': { type: 'string' },
      'registry-bind-address': { type: 'string' },
      'registry-htpasswd': { type: 'string' },
      'cluster-dns': { type: 'string' },
      'cluster-domain': { type: 'string' },
      'dns-port': { type: 'string' },
      'ingress-http-port': { type: 'string' },
      'ingress-https-port': { type: 'string' },
      'ingress-workers': { type: 'string' },
      'encryption-config': { type: 'string' },
      'audit-policy-file': { type: 'string' },
      'audit-log-path': { type: 'string' },
      'audit-log-maxsize': { type: 'string' },
      'audit-log-maxbackup': { type: 'string' },
      'metric-resolution': { type: 'string' },
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
  const serviceCidr = values['service-cidr'] ?? '10.43.0.0/16';
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(serviceCidr)) throw new Error(`--service-cidr: not an IPv4 CIDR: ${serviceCidr}`);
  const serviceNodePortRange = values['service-node-port-range'] ?? '30000-32767';
  if (!/^\d+-\d+$/.test(serviceNodePortRange)) throw new Error(`--service-node-port-range: not a port range: ${serviceNodePortRange}`);
  const registryPort = values['registry-port'] === undefined ? 5000 : Number(values['registry-port']);
  if (!Number.isInteger(registryPort) || registryPort < -1 || registryPort > 65535)
    throw new Error(`--registry-port: not a port number: ${values['registry-port']}`);
  const kubeletPort = values['kubelet-port'] === undefined ? 10250 : Number(values['kubelet-port']);
  if (!Number.isInteger(kubeletPort) || kubeletPort < 0 || kubeletPort > 65535) throw new Error(`--kubelet-port: not a port number: ${values['kubelet-port']}`);
  const kubeletAddressCidrs = (values['kubelet-address-cidrs'] ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  for (const c of kubeletAddressCidrs) if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(c)) throw new Error(`--kubelet-address-cidrs: not an IPv4 CIDR: ${c}`);
  const dnsPort = values['dns-port'] === undefined ? (process.getuid?.() === 0 ? 53 : -1) : Number(values['dns-port']);
  if (!Number.isInteger(dnsPort) || dnsPort < -1 || dnsPort > 65535) throw new Error(`--dns-port: not a port number: ${values['dns-port']}`);
  const ingressPort = (flag: string, v: string | undefined, dflt: number): number => {
    const n = v === undefined ? dflt : Number(v);
    if (!Number.isInteger(n) || n < -1 || n > 65535) throw new Error(`--${flag}: not a port number: ${v}`);
    return n;
  };
  const ingressHttpPort = ingressPort('ingress-http-port', values['ingress-http-port'], 80);
  const ingressHttpsPort = ingressPort('ingress-https-port', values['ingress-https-port'], 443);
  const ingressWorkers = values['ingress-workers'] === undefined ? undefined : Number(values['ingress-workers']);
  if (ingressWorkers !== undefined && (!Number.isInteger(ingressWorkers) || ingressWorkers < 0)) throw new Error(`--ingress-workers: not a count: ${values['ingress-workers']}`);
  const clusterDns = values['cluster-dns'] ?? '10.43.0.10';
  if (!isIP(clusterDns)) throw new Error(`--cluster-dns: not an IP address: ${clusterDns}`);
  const clusterDomain = (values['cluster-domain'] ?? 'cluster.local').replace(/\.$/, '').toLowerCase();
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(clusterDomain)) throw new Error(`--cluster-domain: not a DNS domain: ${clusterDomain}`);
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
  const count = (flag: string, v: string | undefined): number => {
    const n = v === undefined ? 0 : Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag}: not a count: ${v}`);
    return n;
  };
  const audit = {
    policyFile: values['audit-policy-file'],
    logPath: values['audit-log-path'],
    logMaxSizeMB: count('audit-log-maxsize', values['audit-log-maxsize']),
    logMaxBackups: count('audit-log-maxbackup', values['audit-log-maxbackup']),
  };
  const metricResolutionMs = parseDurationMs('metric-resolution', values['metric-resolution'] ?? '15s');
  return {
    auth,
    metricResolutionMs,
    dnsPort,
    ingressHttpPort,
    ingressHttpsPort,
    ingressWorkers,
    clusterDns,
    clusterDomain,
    audit,
    encryptionConfig: values['encryption-config'],
    registryPort,
    kubeletPort,
    kubeletAddressCidrs,
    registryBindAddress: values['registry-bind-address'] ?? '127.0.0.1',
    registryHtpasswd: values['registry-htpasswd'],
    dataDir: values['data-dir'] ?? defaultDataDir(),
    port,
    bindAddress: values['bind-address'] ?? '127.0.0.1',
    tlsSans: values['tls-san'] ?? [],
    datastore: values.datastore ?? 'sqlite',
    disableAgent: values['disable-agent'] ?? false,
    runtime: values.runtime ?? 'auto',
    nodeName: values['node-name'],
    nodeBridge: values['node-bridge'],
    proxyMode: values['proxy-mode'],
    simNodes,
    clusterCidr,
    serviceCidr,
    serviceNodePortRange,
    logLevel: level,
  };
}
