/**
 * @module Starts the cluster DNS server inside `skiff server` (`--dns-port`, `--cluster-dns`,
 * `--cluster-domain`): its own in-process client as `system:kube-dns` (ClusterRole
 * `system:coredns`), its own informers, UDP+TCP on the server's bind address (the advertise
 * address when bound to 0.0.0.0/::), so pods in other network namespaces reach it; then the
 * `kube-system/kube-dns` Service and its endpoints are pointed at it (`dns-service.ts`).
 * A port already in use disables DNS with a warning rather than failing the control plane.
 */
import type { UserInfo } from '../../apiserver/types.ts';
import { InformerFactory } from '../../client/cache/factory.ts';
import { Client } from '../../client/rest.ts';
import type { Transport } from '../../client/transport.ts';
import { DnsServer } from '../../dns/server.ts';
import { informerView } from '../../dns/view.ts';
import type { DnsMetrics } from '../../dns/metrics.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';
import { reconcileDnsService } from './dns-service.ts';
import { advertiseAddress } from './services.ts';

export interface DnsHandle {
  /** UDP and TCP port; undefined when DNS is disabled. */
  port?: number;
  server?: DnsServer;
  stop(): Promise<void>;
}

export async function startClusterDns(
  transportFor: (user: UserInfo) => Transport,
  clock: Clock,
  logger: Logger,
  signal: AbortSignal,
  opts: { port?: number; host?: string; bindAddress?: string; clusterDns: string; clusterDomain: string; metrics?: DnsMetrics },
): Promise<DnsHandle> {
  if (opts.port === undefined || opts.port < 0) return { stop: async () => {} };
  const log = logger.child({ component: 'dns' });
  // A wildcard bind would also grab 53 on addresses other resolvers hold; one address is enough.
  const host = opts.host ?? advertiseAddress(opts.bindAddress ?? '127.0.0.1');
  const user: UserInfo = { username: 'system:kube-dns', groups: ['system:authenticated'] };
  const client = new Client(transportFor(user), { userAgent: 'skiff-dns', fieldManager: 'skiff-dns' });
  const informers = new InformerFactory(client, { clock, logger: log });
  const view = informerView(informers);
  const server = new DnsServer(view, { domain: opts.clusterDomain, dnsIP: opts.clusterDns, serial: Math.floor(clock.now().getTime() / 1000) }, { host, port: opts.port, logger: log, metrics: opts.metrics });
  try {
    await server.listen();
  } catch (err) {
    log.warn('cluster DNS not started', { port: opts.port, err });
    return { stop: async () => {} };
  }
  informers.start(signal);
  log.info('cluster DNS listening', { address: `${host}:${server.port}`, domain: opts.clusterDomain });
  const admin = new Client(transportFor({ username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] }), { userAgent: 'skiff-dns', fieldManager: 'kube-apiserver' });
  try {
    await reconcileDnsService(admin, { clusterDns: opts.clusterDns, ip: host, port: server.port, logger: log });
  } catch (err) {
    // DNS still answers on its address; only the Service view of it is missing.
    log.warn('kube-dns Service not ensured', { err: err as Error });
  }
  return {
    port: server.port,
    server,
    async stop() {
      await server.close();
      await informers.stopped();
    },
  };
}
