/**
 * @module Per-key wake-ups that keep only the earliest: a pod waiting 30 s to finish that is
 * deleted with a 0.5 s stop delay must wake at 0.5 s, which a first-wins delayed add would lose.
 */
export class WakeTimers<K> {
  private readonly timers = new Map<K, { at: number; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly fire: (key: K) => void) {}

  /** Wakes `key` after ms unless an earlier wake-up is already set. */
  after(key: K, ms: number): void {
    const at = Date.now() + Math.max(0, ms);
    const cur = this.timers.get(key);
    if (cur && cur.at <= at) return;
    if (cur) clearTimeout(cur.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.fire(key);
    }, Math.max(0, ms));
    timer.unref?.();
    this.timers.set(key, { at, timer });
  }

  cancel(key: K): void {
    const cur = this.timers.get(key);
    if (cur) clearTimeout(cur.timer);
    this.timers.delete(key);
  }

  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
  }
}
