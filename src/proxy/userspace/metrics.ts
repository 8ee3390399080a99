/**
 * @module The userspace proxy's Prometheus metrics. They go on the registry the caller hands
 * over (the agent's), or on a private one, so several proxies can live in one test process; a
 * registry that already has them (a proxy restarted on the agent's registry) reuses them.
 */
import { Counter, Gauge, Registry, type Metric } from 'prom-client';

export class UserspaceMetrics {
  readonly connections: Counter<'service'>;
  readonly active: Gauge<'service'>;
  readonly errors: Counter<'service' | 'reason'>;
  readonly redirectRules: Gauge;

  constructor(readonly registry: Registry = new Registry()) {
    const registers = [registry];
    const existing = <M extends Metric>(name: string): M | undefined => registry.getSingleMetric(name) as M | undefined;
    this.connections =
      existing<Counter<'service'>>('skiff_proxy_userspace_connections_total') ??
      new Counter({
        name: 'skiff_proxy_userspace_connections_total',
        help: 'TCP connections accepted and UDP sessions opened by the userspace proxy, per service port.',
        labelNames: ['service'],
        registers,
      });
    this.active =
      existing<Gauge<'service'>>('skiff_proxy_userspace_active_connections') ??
      new Gauge({
        name: 'skiff_proxy_userspace_active_connections',
        help: 'Open TCP connections and UDP sessions through the userspace proxy, per service port.',
        labelNames: ['service'],
        registers,
      });
    this.errors =
      existing<Counter<'service' | 'reason'>>('skiff_proxy_userspace_errors_total') ??
      new Counter({
        name: 'skiff_proxy_userspace_errors_total',
        help: 'Userspace proxy failures: no endpoints, endpoint connect failures, broken streams, listen errors.',
        labelNames: ['service', 'reason'],
        registers,
      });
    this.redirectRules =
      existing<Gauge>('skiff_proxy_userspace_redirect_rules') ??
      new Gauge({
        name: 'skiff_proxy_userspace_redirect_rules',
        help: 'ClusterIP ports the userspace proxy redirects from the node bridge to its own sockets (nft rules programmed).',
        registers,
      });
  }
}
