/**
 * @module Controller expectations (upstream's ControllerExpectations): after a controller asks
 * for N creations or deletions it waits to *see* them in its informer before trusting the cache
 * again, so a lagging cache never makes it create the same pods twice. Expectations expire
 * after five minutes, as upstream, in case an event is never seen.
 */
import type { Clock } from '../../util/clock.ts';

const ttlMs = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  at: number;
}

export class Expectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly clock: Clock) {}

  /** True when the controller may act on the cache for key (nothing outstanding, or expired). */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now().getTime() - e.at > ttlMs;
  }

  expect(key: string, adds: number, dels: number): void {
    this.byKey.set(key, { add: adds, del: dels, at: this.clock.now().getTime() });
  }

  /** A creation was seen (or failed, so it will never be seen). */
  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.add--;
  }

  /** A deletion was seen (or failed). */
  deletionObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.del--;
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}
