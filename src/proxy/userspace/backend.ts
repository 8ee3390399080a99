/**
 * @module The userspace proxy backend, for the `process` runtime where no iptables/nftables is
 * possible: real sockets in this process stand in for the rules. Per Service port it listens
 * on every node IP at the NodePort, on each externalIP / load-balancer IP that is a local
 * address, and on the ClusterIP when it is bindable here (a loopback service CIDR such as
 * 127.43.0.0/16); an address this host does not have (EADDRNOTAVAIL) is "not served here".
 * `sync` diffs listeners by protocol/address/port: unchanged ones keep their sockets and only
 * get the new route, so endpoint changes apply to the next connection at once.
 * With `redirect` (real pods on a node bridge, root, nft), ClusterIPs the host does not own are
 * served through redirect listeners instead (`redirect.ts`): pods' traffic to them is DNATed to
 * a socket here, so pods reach every ClusterIP without the host forwarding anything.
 */
import type { Registry } from 'prom-client';
import type { Logger } from '../../util/log.ts';
import type { ProxyBackend, ProxyServicePort, ProxyTable } from '../model.ts';
import { Balancer } from './balancer.ts';
import { UserspaceMetrics } from './metrics.ts';
import type { ProxyListener, Route } from './route.ts';
import { RedirectListeners, type RedirectOptions } from './redirect.ts';
import { listenerKey, localAddresses, planRedirects, type RedirectWant } from './redirect-plan.ts';
import { listenTcp } from './tcp.ts';
import { listenUdp } from './udp.ts';

export interface UserspaceBackendOptions {
  logger: Logger;
  registry?: Registry;
  /** Per-endpoint connect timeout before the next endpoint is tried (default 1000 ms). */
  connectTimeoutMs?: number;
  /** A UDP session closes after this long without traffic (default 30 s). */
  udpIdleTimeoutMs?: number;
  now?: () => number;
  /** Capture pods' ClusterIP traffic on this node bridge (see redirect.ts). */
  redirect?: RedirectOptions;
  /** Which addresses are this host's (default: loopback and the interface list); tests override it. */
  isLocal?: (ip: string) => boolean;
}

interface Want {
  protocol: 'TCP' | 'UDP';
  host: string;
  port: number;
  balancerKey: string;
  service: string;
}


/** Every socket one service port wants, each with the endpoint list its traffic uses. */
function wantsOf(sp: ProxyServicePort, nodeIPs: readonly string[]): Want[] {
  if (sp.protocol === 'SCTP') return [];
  const service = `${sp.namespace}/${sp.name}:${sp.portName}`;
  const mk = (host: string, port: number, kind: 'cluster' | 'external'): Want => ({ protocol: sp.protocol as 'TCP' | 'UDP', host, port, service, balancerKey: `${sp.id}|${kind}` });
  const out: Want[] = sp.clusterIPs.map((ip) => mk(ip, sp.port, 'cluster'));
  for (const ip of [...sp.externalIPs, ...sp.loadBalancerIPs]) out.push(mk(ip, sp.port, 'external'));
  if (sp.nodePort) for (const ip of nodeIPs) out.push(mk(ip, sp.nodePort, 'external'));
  return out;
}

export function createUserspaceBackend(opts: UserspaceBackendOptions): ProxyBackend {
  const log = opts.logger.child({ proxyBackend: 'userspace' });
  const metrics = new UserspaceMetrics(opts.registry);
  const listeners = new Map<string, ProxyListener>();
  const balancers = new Map<string, Balancer>();
  // Addresses already reported as not on this host, so each is logged once.
  const notHere = new Set<string>();
  const tcpOptions = { connectTimeoutMs: opts.connectTimeoutMs ?? 1000 };
  const udpOptions = { idleTimeoutMs: opts.udpIdleTimeoutMs ?? 30_000 };
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  const listen = (protocol: 'TCP' | 'UDP', host: string, port: number, route: Route): Promise<ProxyListener> =>
    protocol === 'TCP'
      ? listenTcp(host, port, route, { logger: log, metrics, options: tcpOptions })
      : listenUdp(host, port, route, { logger: log, metrics, options: udpOptions });
  const redirect = opts.redirect ? new RedirectListeners(opts.redirect, { logger: log.child({ redirect: opts.redirect.bridge }), metrics, bind: listen }) : undefined;
  // The last table, re-applied by the retry timer while the bridge has no address yet.
  let last: ProxyTable | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const bind = async (w: Want, route: Route): Promise<ProxyListener | undefined> => {
    try {
      return await listen(w.protocol, w.host, w.port, route);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const key = listenerKey(w);
      if (code === 'EADDRNOTAVAIL' || code === 'EINVAL') {
        if (!notHere.has(w.host)) log.info('address not on this host; not served here', { address: w.host });
        notHere.add(w.host);
      } else if (!notHere.has(key)) {
        notHere.add(key);
        metrics.errors.inc({ service: w.service, reason: 'listen' });
        log.warn('cannot listen for service', { service: w.service, protocol: w.protocol, address: `${w.host}:${w.port}`, err: err as Error });
      }
      return undefined;
    }
  };

  const apply = async (table: ProxyTable): Promise<void> => {
    if (closed) return;
    last = table;
    const redirected: RedirectWant[] = redirect ? planRedirects(table.services, opts.isLocal ?? localAddresses()) : [];
    // Those ClusterIPs get a redirect listener instead of a bind that cannot succeed.
    const skip = new Set(redirected.map((r) => r.key));
    const wants = new Map<string, Want>();
    const used = new Set<string>();
    for (const sp of table.services) {
      const keys = [`${sp.id}|cluster`, `${sp.id}|external`];
      const lists = [sp.clusterEndpoints, sp.externalEndpoints];
      keys.forEach((k, i) => {
        let b = balancers.get(k);
        if (!b) balancers.set(k, (b = new Balancer(opts.now)));
        b.update(lists[i]!, sp.sessionAffinity);
        used.add(k);
      });
      // Two service ports claiming one socket: the first keeps it.
      for (const w of wantsOf(sp, table.nodeIPs)) {
        const key = listenerKey(w);
        if (skip.has(key) && w.balancerKey.endsWith('|cluster')) continue;
        if (!wants.has(key)) wants.set(key, w);
      }
    }
    for (const [key, l] of listeners) {
      if (wants.has(key)) continue;
      listeners.delete(key);
      await l.close();
    }
    for (const k of balancers.keys()) if (!used.has(k)) balancers.delete(k);
    for (const [key, w] of wants) {
      const route: Route = { service: w.service, balancer: balancers.get(w.balancerKey)! };
      const have = listeners.get(key);
      if (have) {
        have.setRoute(route);
        continue;
      }
      const l = await bind(w, route);
      if (l) {
        notHere.delete(key);
        listeners.set(key, l);
      }
    }
    if (!redirect) return;
    const again = await redirect.apply(redirected, (r) => ({ service: r.service, balancer: balancers.get(r.balancerKey)! }));
    clearTimeout(retryTimer);
    retryTimer = undefined;
    if (again && !closed) {
      // Not a failure (the runtime adds the bridge address with the first pod): look again soon.
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        if (last && !closed) backend.sync(last).catch((err: unknown) => log.warn('redirect retry failed', { err: err as Error }));
      }, redirect.retryMs);
      retryTimer.unref();
    }
  };

  const backend: ProxyBackend = {
    name: 'userspace',
    sync(table) {
      const run = chain.then(() => apply(table));
      chain = run.catch(() => {});
      return run;
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await chain;
      const all = [...listeners.values()];
      listeners.clear();
      await Promise.all([...all.map((l) => l.close()), redirect?.close().catch((err: unknown) => log.warn('removing the redirect table failed', { table: redirect.tableName, err: err as Error }))]);
    },
  };
  return backend;
}
