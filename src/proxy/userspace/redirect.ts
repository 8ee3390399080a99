/**
 * @module The userspace proxy's redirect listeners (kube-proxy's old userspace mode on a node
 * bridge): for every ClusterIP port the host does not own, a socket on an ephemeral port of the
 * bridge's address (the pods' gateway) with the service port's cluster balancer, and one nft rule
 * DNATing the pods' traffic for clusterIP:port to it. The gateway address rather than 127.0.0.1:
 * DNAT to loopback from a bridge would need `route_localnet` on the bridge, and the gateway is
 * the address pods already route to, so nothing but our own table changes on the host.
 * A sync binds new listeners first, then swaps the rules in one transaction, then closes the
 * listeners no rule points to any more, so no rule ever points at a closed socket.
 */
import type { Logger } from '../../util/log.ts';
import { runNft, type NftRunner } from '../redirect/nft.ts';
import { redirectTableName, renderRedirectDelete, renderRedirectRuleset, type RedirectProtocol, type RedirectRule } from '../redirect/ruleset.ts';
import type { UserspaceMetrics } from './metrics.ts';
import { interfaceIPv4, type RedirectWant } from './redirect-plan.ts';
import type { ProxyListener, Route } from './route.ts';

export interface RedirectOptions {
  /** The node bridge pods sit on. */
  bridge: string;
  /** Default `skiff_svc_redirect_<bridge>`. */
  tableName?: string;
  /** The bridge's address now, or undefined while the runtime has not set it up (default: from the interface list). */
  gateway?: () => string | undefined;
  /** Applies an nft script atomically (default `nft -f -`). */
  nft?: NftRunner;
  /** How soon a sync that could not finish (no bridge address yet) is tried again (default 1000 ms). */
  retryMs?: number;
}

interface Active {
  want: RedirectWant;
  gateway: string;
  listener: ProxyListener;
}

export type BindFn = (protocol: RedirectProtocol, host: string, port: number, route: Route) => Promise<ProxyListener>;

export class RedirectListeners {
  readonly tableName: string;
  private readonly active = new Map<string, Active>();
  private lastScript: string | undefined;
  private waitingLogged = false;
  private readonly failed = new Set<string>();

  constructor(
    private readonly opts: RedirectOptions,
    private readonly deps: { logger: Logger; metrics: UserspaceMetrics; bind: BindFn },
  ) {
    this.tableName = opts.tableName ?? redirectTableName(opts.bridge);
  }

  get retryMs(): number {
    return this.opts.retryMs ?? 1000;
  }

  /** The listeners' ports by want key (tests, logs). */
  ports(): Map<string, number> {
    return new Map([...this.active].map(([k, a]) => [k, a.listener.port]));
  }

  /** Brings listeners and rules to `wants`; returns true when it should be tried again soon. */
  async apply(wants: readonly RedirectWant[], routeOf: (w: RedirectWant) => Route): Promise<boolean> {
    const log = this.deps.logger;
    const gateway = (this.opts.gateway ?? (() => interfaceIPv4(this.opts.bridge)))();
    let retry = false;
    if (!gateway && wants.length && !this.waitingLogged) {
      this.waitingLogged = true;
      log.info('node bridge has no address yet; ClusterIPs are redirected once it has', { bridge: this.opts.bridge });
    }
    if (gateway) this.waitingLogged = false;
    const stale: Active[] = [];
    const next = new Map<string, Active>();
    for (const w of gateway ? wants : []) {
      const have = this.active.get(w.key);
      if (have && have.gateway === gateway && have.want.protocol === w.protocol) {
        have.listener.setRoute(routeOf(w));
        next.set(w.key, { ...have, want: w });
        continue;
      }
      try {
        const listener = await this.deps.bind(w.protocol, gateway!, 0, routeOf(w));
        next.set(w.key, { want: w, gateway: gateway!, listener });
        this.failed.delete(w.key);
      } catch (err) {
        retry = true;
        if (!this.failed.has(w.key)) {
          this.failed.add(w.key);
          this.deps.metrics.errors.inc({ service: w.service, reason: 'listen' });
          log.warn('cannot listen for redirected ClusterIP', { service: w.service, clusterIP: `${w.clusterIP}:${w.port}`, protocol: w.protocol, gateway, err: err as Error });
        }
      }
    }
    for (const [k, a] of this.active) if (next.get(k)?.listener !== a.listener) stale.push(a);
    this.active.clear();
    for (const [k, a] of next) this.active.set(k, a);
    if (!gateway) retry ||= wants.length > 0;
    try {
      await this.program(gateway);
    } finally {
      await Promise.all(stale.map((a) => a.listener.close()));
    }
    return retry;
  }

  /** Closes every listener and deletes the table (whether or not this process created it). */
  async close(): Promise<void> {
    const all = [...this.active.values()];
    this.active.clear();
    try {
      await (this.opts.nft ?? runNft)(renderRedirectDelete(this.tableName));
    } finally {
      this.lastScript = undefined;
      await Promise.all(all.map((a) => a.listener.close()));
    }
  }

  /** One transaction per change of the rules; endpoint-only syncs run no nft at all. */
  private async program(gateway: string | undefined): Promise<void> {
    // Without a gateway (the bridge lost its address) no listener is left: an empty table then.
    const rules: RedirectRule[] = [...this.active.values()].map((a) => ({ protocol: a.want.protocol, clusterIP: a.want.clusterIP, port: a.want.port, proxyPort: a.listener.port, service: a.want.service }));
    if (!gateway && this.lastScript === undefined) return;
    const script = renderRedirectRuleset({ tableName: this.tableName, bridge: this.opts.bridge, gateway: gateway ?? '0.0.0.0' }, rules);
    if (script === this.lastScript) return;
    try {
      await (this.opts.nft ?? runNft)(script);
    } catch (err) {
      this.lastScript = undefined;
      this.deps.metrics.errors.inc({ service: '', reason: 'redirect-rules' });
      throw err;
    }
    this.lastScript = script;
    this.deps.metrics.redirectRules.set(rules.length);
    this.deps.logger.debug('redirect rules applied', { table: this.tableName, rules: rules.length, gateway });
  }
}
