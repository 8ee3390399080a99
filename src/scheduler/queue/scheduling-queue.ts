/**
 * @module The scheduling queue (upstream PriorityQueue): activeQ ordered by the QueueSort
 * plugin; backoffQ holding failed pods for a per-pod exponential backoff (1 s doubling to
 * 10 s); and the unschedulable pool, whose pods move back when a cluster event might make
 * them fit, or after 5 minutes regardless. Queueing hints (`queueing-hints.ts`) decide
 * which events can help which pod: only the plugins that rejected the pod are asked. Events
 * that arrive while a pod is being scheduled are kept and replayed against it if it fails,
 * so none is lost (upstream's in-flight events; moveRequestCycle when too many piled up).
 */
import type { ClusterEvent, ClusterEventWithHint } from '../framework/cluster-event.ts';
import { wildcardEvent } from '../framework/cluster-event.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import type { QueuedPodInfoView } from '../framework/types.ts';
import type { Clock } from '../../util/clock.ts';
import { KeyedHeap } from './heap.ts';
import { inTreeQueueingHints, isSchedulableAfter } from './queueing-hints.ts';

/** Events kept for pods in flight before falling back to "something happened" (backoffQ). */
const maxInFlightEvents = 1000;

export interface QueuedPodInfo extends QueuedPodInfoView {
  podInfo: PodInfo;
  /** Last time it was added or attempted (ms). */
  timestamp: number;
  attempts: number;
  initialAttemptTimestamp: number | undefined;
  unschedulablePlugins: Set<string>;
}

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a pod may sit in the unschedulable pool before it is retried anyway. */
  unschedulableTimeoutMs?: number;
  /** Queueing hints by plugin name (default: the in-tree plugins'). */
  hints?: Readonly<Record<string, readonly ClusterEventWithHint[]>>;
}

export class SchedulingQueue {
  private readonly active: KeyedHeap<QueuedPodInfo>;
  private readonly backoff: KeyedHeap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly unschedulableTimeoutMs: number;
  private waiter: (() => void) | undefined;
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private closed = false;
  /** Popped and not yet done: updates are picked up when the attempt ends. */
  private readonly inFlight = new Set<string>();
  /** Events seen while pods were in flight, with the cycle they arrived in. */
  private inFlightEvents: { cycle: number; event: ClusterEvent; filter?: (q: QueuedPodInfo) => boolean }[] = [];
  private readonly hints: Readonly<Record<string, readonly ClusterEventWithHint[]>>;

  constructor(
    less: (a: QueuedPodInfoView, b: QueuedPodInfoView) => boolean,
    private readonly clock: Clock,
    opts: QueueOptions = {},
  ) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.unschedulableTimeoutMs = opts.unschedulableTimeoutMs ?? 5 * 60_000;
    this.hints = opts.hints ?? inTreeQueueingHints;
    const key = (q: QueuedPodInfo) => q.podInfo.key;
    this.active = new KeyedHeap(key, less);
    this.backoff = new KeyedHeap(key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  get cycle(): number {
    return this.schedulingCycle;
  }

  sizes(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  /** Where a pod is now, for stall diagnostics (`undefined`: not held by the queue). */
  poolOf(key: string): 'active' | 'backoff' | 'unschedulable' | 'inFlight' | undefined {
    if (this.active.has(key)) return 'active';
    if (this.backoff.has(key)) return 'backoff';
    if (this.unschedulable.has(key)) return 'unschedulable';
    return this.inFlight.has(key) ? 'inFlight' : undefined;
  }

  /** Pods popped whose attempt has not ended, and the in-flight events kept for them. */
  inFlightSizes(): { pods: number; events: number } {
    return { pods: this.inFlight.size, events: this.inFlightEvents.length };
  }

  has(key: string): boolean {
    return this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key);
  }

  /** A new pending pod (or one seen again) goes to activeQ. */
  add(podInfo: PodInfo): void {
    if (this.inFlight.has(podInfo.key)) return;
    if (this.has(podInfo.key)) return this.update(podInfo);
    this.pushActive({ podInfo, timestamp: this.now(), attempts: 0, initialAttemptTimestamp: undefined, unschedulablePlugins: new Set() });
  }

  /** A pending pod changed: refresh it; a real spec/label change retries an unschedulable pod. */
  update(podInfo: PodInfo): void {
    const key = podInfo.key;
    const a = this.active.get(key) ?? this.backoff.get(key);
    if (a) {
      a.podInfo = podInfo;
      if (this.active.has(key)) this.active.push(a);
      else this.backoff.push(a);
      return;
    }
    const u = this.unschedulable.get(key);
    if (!u) return this.add(podInfo);
    const changed = podChanged(u.podInfo, podInfo);
    u.podInfo = podInfo;
    if (!changed) return;
    this.unschedulable.delete(key);
    if (this.isBackingOff(u)) this.backoff.push(u);
    else this.pushActive(u);
  }

  delete(key: string): void {
    this.endFlight(key);
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
  }

  /** Waits for the next pod to schedule; undefined once closed. */
  async pop(): Promise<QueuedPodInfo | undefined> {
    while (this.active.size === 0) {
      if (this.closed) return undefined;
      await new Promise<void>((r) => (this.waiter = r));
    }
    const q = this.active.pop()!;
    q.attempts++;
    q.initialAttemptTimestamp ??= this.now();
    // Each attempt records its own rejectors (upstream clears them at Pop): a verdict left
    // from an earlier attempt would let hints skip the events that help this one.
    if (q.unschedulablePlugins.size) q.unschedulablePlugins = new Set();
    this.schedulingCycle++;
    this.inFlight.add(q.podInfo.key);
    return q;
  }

  /** Ends an attempt (success, or after addUnschedulable). */
  done(key: string): void {
    this.endFlight(key);
  }

  private endFlight(key: string): void {
    if (this.inFlight.delete(key) && this.inFlight.size === 0) this.inFlightEvents = [];
  }

  /**
   * After a failed attempt in `podCycle`: to backoffQ when the failure was an error, when no
   * plugin rejected the pod (nothing to wait for: upstream's queueAfterBackoff in
   * determineSchedulingHintForInFlightPod), when the pod itself changed, or when an event
   * that arrived during the attempt may help it (per its rejecting plugins' hints); else to
   * the unschedulable pool, which only a helpful cluster event (or the 5-minute flush) leaves.
   */
  addUnschedulable(q: QueuedPodInfo, podCycle: number, opts: { error?: boolean; changed?: boolean } = {}): void {
    const key = q.podInfo.key;
    const helped =
      opts.error ||
      opts.changed ||
      q.unschedulablePlugins.size === 0 ||
      this.moveRequestCycle >= podCycle ||
      this.inFlightEvents.some((e) => e.cycle >= podCycle && (!e.filter || e.filter(q)) && isSchedulableAfter(q.podInfo, q.unschedulablePlugins, e.event, this.hints));
    this.endFlight(key);
    if (this.has(key)) return;
    q.timestamp = this.now();
    if (helped) this.backoff.push(q);
    else this.unschedulable.set(key, q);
  }

  /**
   * A cluster event: unschedulable pods it may help (queueing hints; `filter` narrows further)
   * go to activeQ, or backoffQ while backing off. No event given: a wildcard (moves all).
   */
  moveAllToActiveOrBackoff(event: ClusterEvent = wildcardEvent('ForceActivate'), filter?: (q: QueuedPodInfo) => boolean): void {
    for (const [key, q] of this.unschedulable) {
      if (filter && !filter(q)) continue;
      if (!isSchedulableAfter(q.podInfo, q.unschedulablePlugins, event, this.hints)) continue;
      this.unschedulable.delete(key);
      if (this.isBackingOff(q)) this.backoff.push(q);
      else this.pushActive(q);
    }
    if (this.inFlight.size === 0) return;
    if (this.inFlightEvents.length < maxInFlightEvents) this.inFlightEvents.push({ cycle: this.schedulingCycle, event, filter });
    else this.moveRequestCycle = this.schedulingCycle;
  }

  /** Moves pods whose backoff expired to activeQ, and long-unschedulable pods back. */
  flush(): void {
    const now = this.now();
    for (let q = this.backoff.peek(); q && this.backoffExpiry(q) <= now; q = this.backoff.peek()) this.pushActive(this.backoff.pop()!);
    for (const [key, q] of this.unschedulable) {
      if (now - q.timestamp < this.unschedulableTimeoutMs) continue;
      this.unschedulable.delete(key);
      if (this.isBackingOff(q)) this.backoff.push(q);
      else this.pushActive(q);
    }
  }

  /** Runs the periodic flushes until the signal aborts, then releases a waiting pop. */
  async run(signal: AbortSignal, periodMs = 200): Promise<void> {
    signal.addEventListener('abort', () => this.close(), { once: true });
    while (!signal.aborted) {
      await this.clock.sleep(periodMs, signal).catch(() => {});
      this.flush();
    }
    // Also when the signal had aborted before run: no abort event would release a pop then.
    this.close();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  backoffDurationMs(q: QueuedPodInfo): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoffMs) return this.maxBackoffMs;
    }
    return Math.min(d, this.maxBackoffMs);
  }

  private backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDurationMs(q);
  }

  private isBackingOff(q: QueuedPodInfo): boolean {
    return q.attempts > 0 && this.backoffExpiry(q) > this.now();
  }

  private pushActive(q: QueuedPodInfo): void {
    this.active.push(q);
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

/** Upstream isPodUpdated: anything but status, resourceVersion and managed fields changed. */
function podChanged(a: PodInfo, b: PodInfo): boolean {
  const strip = (p: PodInfo) => {
    const { resourceVersion: _rv, managedFields: _mf, generation: _g, ...meta } = p.pod.metadata ?? {};
    return JSON.stringify([meta, p.pod.spec]);
  };
  return strip(a) !== strip(b);
}
