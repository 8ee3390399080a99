/**
 * @module Work queue metrics, named and shaped as client-go's `workqueue` metrics (registered
 * by component-base with the one label `name`), so controller-manager dashboards read them.
 *
 * A queue gets metrics only when it is built with a provider: explicitly
 * (`new WorkQueue(limit, { name, provider })`) or inside `withQueueMetrics(provider, name, fn)`,
 * which lets the composition code give every queue a controller constructs a name without the
 * controller knowing. A queue without a provider keeps no timestamps and calls nothing.
 *
 * Counters and histograms are updated inline; the gauges (depth, unfinished work, longest
 * running processor) are computed at scrape time from the live queues, so no timer runs.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What a queue reports; one per queue. */
export interface QueueMetrics {
  add(key: unknown): void;
  get(key: unknown): void;
  done(key: unknown): void;
  retry(): void;
  shutDown(): void;
}

export interface QueueMetricsProvider {
  forQueue(name: string): QueueMetrics;
}

/** client-go: exponential buckets from 10 ns, ×10, 12 of them. */
const durationBuckets = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

type Now = () => number;

class TrackedQueue implements QueueMetrics {
  depth = 0;
  private readonly addTimes = new Map<unknown, number>();
  readonly processingStart = new Map<unknown, number>();

  constructor(
    private readonly name: string,
    private readonly fam: Families,
    private readonly now: Now,
  ) {}

  add(key: unknown): void {
    this.fam.adds.inc({ name: this.name });
    this.depth++;
    if (!this.addTimes.has(key)) this.addTimes.set(key, this.now());
  }

  get(key: unknown): void {
    this.depth--;
    const t = this.now();
    this.processingStart.set(key, t);
    const added = this.addTimes.get(key);
    if (added !== undefined) {
      this.fam.queueDuration.observe({ name: this.name }, (t - added) / 1000);
      this.addTimes.delete(key);
    }
  }

  done(key: unknown): void {
    const started = this.processingStart.get(key);
    if (started === undefined) return;
    this.fam.workDuration.observe({ name: this.name }, (this.now() - started) / 1000);
    this.processingStart.delete(key);
  }

  retry(): void {
    this.fam.retries.inc({ name: this.name });
  }

  shutDown(): void {
    this.fam.live.delete(this);
  }

  /** Seconds of work in progress (sum) and of the longest-running item. */
  inFlight(now: number): { total: number; longest: number } {
    let total = 0;
    let longest = 0;
    for (const t of this.processingStart.values()) {
      const s = (now - t) / 1000;
      total += s;
      if (s > longest) longest = s;
    }
    return { total, longest };
  }

  get queueName(): string {
    return this.name;
  }
}

interface Families {
  adds: Counter<'name'>;
  retries: Counter<'name'>;
  queueDuration: Histogram<'name'>;
  workDuration: Histogram<'name'>;
  live: Set<TrackedQueue>;
}

const byRegistry = new WeakMap<Registry, Families>();

function families(registry: Registry, now: Now): Families {
  const found = byRegistry.get(registry);
  if (found) return found;
  const registers = [registry];
  const live = new Set<TrackedQueue>();
  // Sums per name: two queues of one name (a controller restarted on regaining leadership
  // before the old one finished) add up rather than overwrite each other.
  const perName = (pick: (q: TrackedQueue, now: number) => number, combine: (a: number, b: number) => number) =>
    function (this: Gauge<'name'>) {
      this.reset();
      const t = now();
      const values = new Map<string, number>();
      for (const q of live) {
        const v = pick(q, t);
        const prev = values.get(q.queueName);
        values.set(q.queueName, prev === undefined ? v : combine(prev, v));
      }
      for (const [name, v] of values) this.set({ name }, v);
    };
  const sum = (a: number, b: number) => a + b;
  new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers, collect: perName((q) => q.depth, sum) });
  new Gauge({
    name: 'workqueue_unfinished_work_seconds',
    help: "How many seconds of work has done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.",
    labelNames: ['name'],
    registers,
    collect: perName((q, t) => q.inFlight(t).total, sum),
  });
  new Gauge({
    name: 'workqueue_longest_running_processor_seconds',
    help: 'How many seconds has the longest running processor for workqueue been running.',
    labelNames: ['name'],
    registers,
    collect: perName((q, t) => q.inFlight(t).longest, Math.max),
  });
  const fam: Families = {
    live,
    adds: new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers }),
    retries: new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers }),
    queueDuration: new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested.',
      labelNames: ['name'],
      buckets: durationBuckets,
      registers,
    }),
    workDuration: new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: ['name'],
      buckets: durationBuckets,
      registers,
    }),
  };
  byRegistry.set(registry, fam);
  return fam;
}

/** Work queue metrics on a Prometheus registry (one set of series per registry, label `name`). */
export function prometheusQueueMetrics(registry: Registry, now: Now = () => performance.now()): QueueMetricsProvider {
  return {
    forQueue(name) {
      const fam = families(registry, now);
      const q = new TrackedQueue(name, fam, now);
      fam.live.add(q);
      return q;
    },
  };
}

let scope: { provider: QueueMetricsProvider; name: string } | undefined;

/** Runs fn (synchronously) so that every WorkQueue it constructs reports as `name`. */
export function withQueueMetrics<T>(provider: QueueMetricsProvider, name: string, fn: () => T): T {
  const outer = scope;
  scope = { provider, name };
  try {
    return fn();
  } finally {
    scope = outer;
  }
}

/** The metrics a queue being constructed now should report to, if any. */
export function metricsForNewQueue(explicit?: { name: string; provider: QueueMetricsProvider }): QueueMetrics | undefined {
  const s = explicit ?? scope;
  return s?.provider.forQueue(s.name);
}
