/**
 * @module The container restart back-off (client-go flowcontrol.Backoff as the kubelet uses it):
 * 10 s doubling to 300 s per pod/container key. A dead container is in back-off while less
 * than the current delay has passed since it finished; the entry starts afresh when the key
 * has not been touched for twice the maximum (10 minutes), so a container that ran fine for
 * that long restarts at once again.
 */
export class Backoff {
  private readonly entries = new Map<string, { delayMs: number; lastUpdate: number }>();

  constructor(
    readonly initialMs = 10_000,
    readonly maxMs = 300_000,
  ) {}

  /** Current delay for key (0 when none). */
  get(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /** Whether a restart must wait: `now` is within the delay since `finishedAt`. */
  isInBackOffSince(key: string, finishedAt: number, now: number): boolean {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.maxMs) return false;
    return now - finishedAt < e.delayMs;
  }

  /** Milliseconds left until the restart is allowed. */
  remaining(key: string, finishedAt: number, now: number): number {
    return Math.max(0, finishedAt + this.get(key) - now);
  }

  /** Records a restart: the first sets the initial delay, each further one doubles it. */
  next(key: string, now: number): void {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.maxMs) this.entries.set(key, { delayMs: this.initialMs, lastUpdate: now });
    else this.entries.set(key, { delayMs: Math.min(e.delayMs * 2, this.maxMs), lastUpdate: now });
  }

  forget(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

/** Go's time.Duration formatting for whole seconds (10s, 1m20s, 5m0s), as in the back-off message. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`;
}
