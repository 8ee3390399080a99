/**
 * @module The scheduler's Prometheus metrics, named as kube-scheduler's (pkg/scheduler/metrics):
 * attempts and their latency by result and profile, pending pods per queue (read from the
 * scheduling queue at scrape time), the scheduling SLI from first attempt to bound, and
 * preemption attempts. Registered on the registry the caller hands over.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

/** kube-scheduler: exponential from 1 ms, ×2, 15 buckets. */
const attemptBuckets = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);
/** kube-scheduler's SLI buckets: from 10 ms, ×1.5, 20 buckets. */
const sliBuckets = Array.from({ length: 20 }, (_, i) => 0.01 * 1.5 ** i);

export class SchedulerMetrics {
  private readonly attempts: Counter<'result' | 'profile'>;
  private readonly attemptDuration: Histogram<'result' | 'profile'>;
  private readonly sli: Histogram<'attempts'>;
  private readonly preemptionAttempts: Counter;
  /** By profile: a scheduler rebuilt after regaining leadership replaces its old queue. */
  private readonly queues = new Map<string, () => Record<string, number>>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.attempts = new Counter({
      name: 'scheduler_schedule_attempts_total',
      help: 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.',
      labelNames: ['result', 'profile'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds',
      help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      labelNames: ['result', 'profile'],
      buckets: attemptBuckets,
      registers,
    });
    this.sli = new Histogram({
      name: 'scheduler_pod_scheduling_sli_duration_seconds',
      help: 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.',
      labelNames: ['attempts'],
      buckets: sliBuckets,
      registers,
    });
    this.preemptionAttempts = new Counter({ name: 'scheduler_preemption_attempts_total', help: 'Total preemption attempts in the cluster till now', registers });
    const queues = this.queues;
    new Gauge({
      name: 'scheduler_pending_pods',
      help: "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods.",
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const sizes of queues.values()) for (const [queue, n] of Object.entries(sizes())) this.inc({ queue }, n);
      },
    });
  }

  /** Reports a scheduling queue's sizes (`{active, backoff, unschedulable}`) as pending pods. */
  watchQueue(profile: string, sizes: () => Record<string, number>): void {
    this.queues.set(profile, sizes);
  }

  attempt(result: AttemptResult, profile: string, startedMs: number, nowMs: number): void {
    this.attempts.inc({ result, profile });
    this.attemptDuration.observe({ result, profile }, (nowMs - startedMs) / 1000);
  }

  /** A pod bound: its SLI runs from its first attempt, labelled with how many attempts it took. */
  podScheduled(attempts: number, initialAttemptMs: number | undefined, nowMs: number): void {
    if (initialAttemptMs === undefined) return;
    this.sli.observe({ attempts: String(attempts) }, (nowMs - initialAttemptMs) / 1000);
  }

  preemptionAttempt(): void {
    this.preemptionAttempts.inc();
  }
}
