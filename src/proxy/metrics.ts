/**
 * @module The service proxy's sync metrics, named as kube-proxy's (pkg/proxy/metrics) so existing
 * dashboards read them. They go on the registry the caller hands over (the agent's) or on a
 * private one, so several proxies can live in one test process. A registry that already
 * has them (a second proxy on the agent's registry) reuses the existing metrics.
 */
import { Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';

/** kube-proxy's buckets: 1 ms doubling up to ~16 s. */
const buckets = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);

export class ProxyMetrics {
  readonly syncDuration: Histogram;
  readonly lastSync: Gauge;
  readonly networkProgramming: Histogram;
  readonly serviceChanges: Counter;

  constructor(readonly registry: Registry = new Registry()) {
    const registers = [registry];
    const existing = <M extends Metric>(name: string): M | undefined => registry.getSingleMetric(name) as M | undefined;
    this.syncDuration =
      existing<Histogram>('kubeproxy_sync_proxy_rules_duration_seconds') ??
      new Histogram({ name: 'kubeproxy_sync_proxy_rules_duration_seconds', help: 'SyncProxyRules latency in seconds', buckets, registers });
    this.lastSync =
      existing<Gauge>('kubeproxy_sync_proxy_rules_last_timestamp_seconds') ??
      new Gauge({ name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', help: 'The last time proxy rules were successfully synced', registers });
    this.networkProgramming =
      existing<Histogram>('kubeproxy_network_programming_duration_seconds') ??
      new Histogram({
        name: 'kubeproxy_network_programming_duration_seconds',
        help: 'In Cluster Network Programming Latency in seconds',
        buckets: [0.25, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 30, 60],
        registers,
      });
    this.serviceChanges =
      existing<Counter>('kubeproxy_sync_proxy_rules_service_changes_total') ??
      new Counter({ name: 'kubeproxy_sync_proxy_rules_service_changes_total', help: 'Cumulative proxy rules Service changes', registers });
  }
}
