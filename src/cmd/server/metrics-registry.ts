/**
 * @module The one Prometheus registry of a `skiff server` process: the API server, the storage
 * wrapper, the controller manager's work queues, the scheduler, DNS and the embedded node
 * agent all register on it, so `GET /metrics` on the API server shows every in-process
 * component (each server in a test process gets its own).
 */
import { Gauge, Registry } from 'prom-client';
import { prometheusQueueMetrics, type QueueMetricsProvider } from '../../client/workqueue/metrics.ts';
import { SchedulerMetrics } from '../../scheduler/metrics.ts';

export interface ServerMetrics {
  registry: Registry;
  /** For the controllers' work queues (label `name`). */
  queues: QueueMetricsProvider;
  scheduler: SchedulerMetrics;
  /** `leader_election_master_status{name}`: 1 while this process leads that Lease. */
  leader: Gauge<'name'>;
}

export function createServerMetrics(): ServerMetrics {
  const registry = new Registry();
  return {
    registry,
    queues: prometheusQueueMetrics(registry),
    scheduler: new SchedulerMetrics(registry),
    leader: new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. \'name\' is the string used to identify the lease.',
      labelNames: ['name'],
      registers: [registry],
    }),
  };
}

/** Upstream's queue names are the controller's without `-controller` (`replicaset`, `deployment`). */
export const queueName = (controller: string): string => controller.replace(/-controller$/, '');
