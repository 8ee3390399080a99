/**
 * @module Runs the built-in metrics server inside `skiff server`: its provider is handed to the
 * API server at construction (so `metrics.k8s.io/v1beta1` is in discovery from the start and
 * answers empty lists until the first points), and once in-process clients exist it starts
 * collecting as user `system:metrics-server` — simulated nodes in-process, every other node by
 * scraping its kubelet with the API server's kubelet-client certificate, under the same
 * address policy as pod logs and exec.
 */
import type { UserInfo } from '../../apiserver/types.ts';
import { kubeletAddressAllowed } from '../../apiserver/http/pod-proxy.ts';
import type { MetricsProvider } from '../../apiserver/registry/metrics/types.ts';
import { Client } from '../../client/rest.ts';
import type { Transport } from '../../client/transport.ts';
import { MetricsServer } from '../../metrics-server/metrics-server.ts';
import type { KubeletTls } from '../../metrics-server/scrape.ts';
import type { UsageSource } from '../../metrics-server/types.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';

export interface MetricsServerHandle {
  /** For `ApiServerConfig.metricsProvider`. */
  provider: MetricsProvider;
  /** Starts collecting; resolves when `signal` aborts and it has stopped. */
  start(
    transportFor: (user: UserInfo) => Transport,
    clock: Clock,
    logger: Logger,
    signal: AbortSignal,
    o: { resolutionMs: number; sources: UsageSource[]; kubeletTls: KubeletTls; kubeletAddressCidrs: string[] },
  ): Promise<unknown>;
}

const user: UserInfo = { username: 'system:metrics-server', groups: ['system:authenticated'] };

export function createMetricsServer(): MetricsServerHandle {
  let server: MetricsServer | undefined;
  return {
    provider: {
      nodeMetrics: () => server?.nodeMetrics() ?? [],
      podMetrics: (ns) => server?.podMetrics(ns) ?? [],
    },
    start(transportFor, clock, logger, signal, o) {
      const client = new Client(transportFor(user), { userAgent: 'metrics-server', fieldManager: 'metrics-server' });
      server = new MetricsServer({
        client,
        clock,
        logger: logger.child({ component: 'metrics-server' }),
        resolutionMs: o.resolutionMs,
        sources: o.sources,
        kubeletTls: o.kubeletTls,
        addressAllowed: (host) => kubeletAddressAllowed(host, o.kubeletAddressCidrs),
      });
      return server.run(signal).catch((err: unknown) => logger.error('metrics server stopped', { err: err as Error }));
    },
  };
}
