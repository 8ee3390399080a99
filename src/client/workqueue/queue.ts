/**
 * @module The controllers' work queue (client-go's workqueue): a FIFO of keys that never
 * holds a key twice and never hands the same key to two workers at once. A key added while it
 * is being processed is queued again when its worker calls `done`. Delayed adds and a per-key
 * exponential back-off (`addRateLimited` / `forget`) come on top. Metrics (client-go's
 * `workqueue_*`) only when a provider is given, see `metrics.ts`.
 */
import { metricsForNewQueue, type QueueMetrics, type QueueMetricsProvider } from './metrics.ts';

export interface RateLimit {
  /** First retry delay (client-go: 5 ms). */
  baseMs: number;
  /** Longest retry delay (client-go: 1000 s). */
  maxMs: number;
}

export const defaultRateLimit: RateLimit = { baseMs: 5, maxMs: 1_000_000 };

export class WorkQueue<K = string> {
  private queue: K[] = [];
  private head = 0;
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly waiting = new Map<K, { timer: ReturnType<typeof setTimeout>; due: number }>();
  private readonly waiters: Array<(k: K | undefined) => void> = [];
  private shuttingDown = false;
  private readonly metrics: QueueMetrics | undefined;

  constructor(
    private readonly limit: RateLimit = defaultRateLimit,
    opts?: { name: string; provider: QueueMetricsProvider },
  ) {
    this.metrics = metricsForNewQueue(opts);
  }

  get length(): number {
    return this.queue.length - this.head;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics?.add(key);
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(key);
      this.processing.add(key);
      this.metrics?.get(key);
      w(key);
      return;
    }
    this.queue.push(key);
  }

  /** Adds key after ms; if the key is already waiting, the earlier of the two times wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    // As client-go's delaying queue, every AddAfter counts as a retry.
    this.metrics?.retry();
    if (ms <= 0) return this.add(key);
    const due = Date.now() + ms;
    const pending = this.waiting.get(key);
    // As client-go's delaying queue: a sooner add moves the key up, a later one is dropped.
    if (pending && pending.due <= due) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    timer.unref?.();
    this.waiting.set(key, { timer, due });
  }

  /** Adds key after its back-off: base·2^failures, capped. */
  addRateLimited(key: K): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, Math.min(this.limit.baseMs * 2 ** n, this.limit.maxMs));
  }

  /** Clears key's failure count (call after a successful reconcile). */
  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key, or undefined once the queue is shut down (or the signal aborts). */
  get(signal?: AbortSignal): Promise<K | undefined> {
    // An aborted caller (e.g. a controller that just lost leadership) must not start more work,
    // even with keys still queued; shutDown alone still lets workers drain, as in client-go.
    if (signal?.aborted) return Promise.resolve(undefined);
    if (this.length > 0) {
      const key = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.dirty.delete(key);
      this.processing.add(key);
      this.metrics?.get(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const w = (k: K | undefined) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(k);
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(w);
    });
  }

  /** Marks key finished; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    this.metrics?.done(key);
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      // Re-queued without counting a second add (client-go pushes it straight back).
      this.dirty.delete(key);
      this.requeue(key);
    }
  }

  /** Queues a key that is already counted as added (its add came while it was processing). */
  private requeue(key: K): void {
    if (this.shuttingDown) return;
    const w = this.waiters.shift();
    if (w) {
      this.processing.add(key);
      this.metrics?.get(key);
      w(key);
      return;
    }
    this.dirty.add(key);
    this.queue.push(key);
  }

  shutDown(): void {
    this.metrics?.shutDown();
    this.shuttingDown = true;
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
