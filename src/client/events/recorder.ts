/**
 * @module The event recorder (client-go's record.EventRecorder): `event(obj, type, reason,
 * message)` writes a core/v1 Event about obj so `kubectl describe` shows it. Repeats of the same
 * event (same object, type, reason, message) within the cache bump `count` and
 * `lastTimestamp` on the existing Event instead of creating another, as upstream's correlator
 * does. Writes are fire-and-forget: a failed event is logged, never thrown at the caller.
 */
import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';
import type { Client, ResourceClient } from '../rest.ts';
import { refs } from '../refs.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  first: string;
}

const cacheSize = 4096;
/** Event writes in flight at once; more wait their turn (upstream's broadcaster is async too). */
const maxInFlight = 32;

export function referenceTo(obj: KubeObject): ObjectReference {
  const m = obj.metadata ?? {};
  const ref: ObjectReference = { kind: obj.kind, apiVersion: obj.apiVersion, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
  if (m.namespace) return { ...ref, namespace: m.namespace };
  return ref;
}

export class ClientEventRecorder implements EventRecorder {
  private readonly seen = new Map<string, Seen>();
  /**
   * The last write per event key: a key's create and its later count bumps stay in order,
   * while writes about different objects run concurrently (bounded by maxInFlight), so one
   * slow write does not hold up every component's events behind it.
   */
  private readonly tails = new Map<string, Promise<void>>();
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly client: Client,
    private readonly source: { component: string; host?: string },
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.events = client.resource<Event & KubeObject>(refs.events);
  }

  private readonly events: ResourceClient<Event & KubeObject>;
  /** The last second formatted: a busy component records many events per second. */
  private lastSecond = NaN;
  private lastStamp = '';

  /** Seconds-precision RFC3339 (metav1.Time). */
  private stamp(d: Date): string {
    const second = Math.floor(d.getTime() / 1000);
    if (second !== this.lastSecond) {
      this.lastStamp = d.toISOString().replace(/\.\d+Z$/, 'Z');
      this.lastSecond = second;
    }
    return this.lastStamp;
  }

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const involved = referenceTo(obj);
    const key = `${involved.kind ?? ''}\u0000${involved.namespace ?? ''}\u0000${involved.name ?? ''}\u0000${involved.uid ?? ''}\u0000${type}\u0000${reason}\u0000${message}`;
    const now = this.stamp(this.clock.now());
    const write = async () => {
      const prior = this.seen.get(key);
      if (prior) {
        prior.count++;
        try {
          await this.events.patch(prior.name, 'merge', { count: prior.count, lastTimestamp: now }, { namespace: prior.namespace });
          return;
        } catch {
          this.seen.delete(key); // gone (expired or deleted): create a fresh one
        }
      }
      const namespace = involved.namespace || 'default';
      const name = `${involved.name ?? 'unknown'}.${(this.clock.now().getTime() * 1e6 + Math.floor(Math.random() * 1e6)).toString(16)}`;
      const ev: Event & KubeObject = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: involved,
        reason,
        message,
        type,
        source: this.source.host ? { component: this.source.component, host: this.source.host } : { component: this.source.component },
        reportingComponent: this.source.component,
        reportingInstance: this.source.host ?? '',
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      };
      await this.events.createNoResult(ev, namespace);
      if (this.seen.size >= cacheSize) this.seen.delete(this.seen.keys().next().value!);
      this.seen.set(key, { name, namespace, count: 1, first: now });
    };
    const run = async () => {
      await this.slot();
      try {
        await write();
      } catch (err) {
        this.log.debug('event not recorded', { reason, err: err as Error });
      } finally {
        this.release();
      }
    };
    const tail = (this.tails.get(key) ?? Promise.resolve()).then(run);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
  }

  private async slot(): Promise<void> {
    while (this.inFlight >= maxInFlight) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
  }

  private release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  /** Resolves when every event recorded so far has been written (for tests and shutdown). */
  async flush(): Promise<void> {
    while (this.tails.size) await Promise.all([...this.tails.values()]);
  }
}
