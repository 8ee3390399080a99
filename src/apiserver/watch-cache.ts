/**
 * @module The watch cache: one storage watch over every key, a ring buffer of recent events,
 * and fan-out to API watchers. A watcher resuming from a revision inside the buffer is served
 * from memory; an older one falls back to the storage watch (which fails with Compacted → 410
 * when the history is gone). One backend watch serves thousands of API watches.
 */
import { isStorageError, StorageError, type Backend, type WatchEvent } from '../storage/interface.ts';
import type { Logger } from '../util/log.ts';

interface Subscriber {
  prefix: string;
  push(events: WatchEvent[]): void;
  fail(err: Error): void;
}

export interface WatchCacheOptions {
  /** Events kept in memory for resuming watches. */
  capacity: number;
  logger: Logger;
}

export class WatchCache {
  private buffer: WatchEvent[] = [];
  /** Every event with revision > this is in the buffer or still to come. */
  private bufferFloor = 0;
  private revision = 0;
  private subscribers = new Set<Subscriber>();
  private readyResolve!: () => void;
  readonly ready = new Promise<void>((r) => (this.readyResolve = r));

  constructor(
    private readonly backend: Backend,
    private readonly opts: WatchCacheOptions,
  ) {}

  /** The newest revision the cache has seen. */
  get currentRevision(): number {
    return this.revision;
  }

  async start(signal: AbortSignal): Promise<void> {
    let after = await this.backend.currentRevision();
    this.bufferFloor = after;
    this.revision = after;
    this.readyResolve();
    while (!signal.aborted) {
      try {
        for await (const batch of this.backend.watch('/registry/', { afterRevision: after, signal })) {
          this.append(batch);
          after = this.revision;
        }
      } catch (err) {
        if (signal.aborted) break;
        if (isStorageError(err, 'Compacted')) {
          // We fell behind compaction: drop the buffer so watchers relist, and resume from now.
          this.opts.logger.warn('watch cache fell behind compaction; resetting', {});
          after = await this.backend.currentRevision();
          this.reset(after);
          continue;
        }
        this.opts.logger.error('storage watch failed; retrying', { err: err as Error });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    for (const s of this.subscribers) s.fail(new StorageError('Closed', 'watch cache stopped'));
  }

  private reset(rev: number): void {
    this.buffer = [];
    this.bufferFloor = rev;
    this.revision = rev;
    for (const s of this.subscribers) s.fail(new StorageError('Compacted', 'watch cache reset'));
    this.subscribers.clear();
  }

  private append(batch: WatchEvent[]): void {
    if (batch.length === 0) return;
    for (const e of batch) this.buffer.push(e);
    this.revision = batch[batch.length - 1]!.kv.modRevision;
    const overflow = this.buffer.length - this.opts.capacity;
    if (overflow > 0) {
      const dropped = this.buffer.splice(0, overflow);
      this.bufferFloor = dropped[dropped.length - 1]!.kv.modRevision;
    }
    for (const s of this.subscribers) {
      const mine = batch.filter((e) => e.kv.key.startsWith(s.prefix));
      if (mine.length) s.push(mine);
    }
  }

  /**
   * Events under `prefix` with revision > afterRevision, until the signal aborts. Throws
   * StorageError('Compacted') when that history is no longer available.
   */
  async *watch(prefix: string, afterRevision: number, signal: AbortSignal): AsyncIterable<WatchEvent[]> {
    await this.ready;
    if (afterRevision < this.bufferFloor) {
      // Older than memory: storage may still have it (or says Compacted).
      yield* this.backend.watch(prefix, { afterRevision, signal });
      return;
    }
    const queue: WatchEvent[][] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    const sub: Subscriber = {
      prefix,
      push: (events) => {
        const fresh = events.filter((e) => e.kv.modRevision > afterRevision);
        if (fresh.length) queue.push(fresh);
        wake?.();
      },
      fail: (err) => {
        failure = err;
        wake?.();
      },
    };
    // Replay and subscribe in the same tick so no event falls between them.
    const replay = this.buffer.filter((e) => e.kv.modRevision > afterRevision && e.kv.key.startsWith(prefix));
    if (replay.length) queue.push(replay);
    this.subscribers.add(sub);
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        if (queue.length) {
          yield queue.shift()!;
          continue;
        }
        if (failure) throw failure;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.subscribers.delete(sub);
    }
  }

  get watcherCount(): number {
    return this.subscribers.size;
  }
}
