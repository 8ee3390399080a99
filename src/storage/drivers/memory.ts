/**
 * @module In-memory driver: full revision history per key, compaction, watches fed from a log.
 * For tests and `--datastore memory`; nothing survives a restart.
 */
import {
  StorageError,
  type Backend,
  type DeleteResult,
  type GetResult,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type WatchEvent,
  type WatchOptions,
  type WriteResult,
} from '../interface.ts';
import { SortedKeys } from './memory-keys.ts';

interface Version {
  kv: KeyValue;
  /** Revision at which this version stopped being current (deleted or overwritten). */
  until: number;
  deleted: boolean;
}

export class MemoryBackend implements Backend {
  private revision = 0;
  private compacted = 0;
  /** Every version of every key, oldest first. */
  private history = new Map<string, Version[]>();
  /** The keys of `history`, sorted, so a prefix list is a binary search, not a full scan. */
  private sortedKeys = new SortedKeys();
  /** Events in revision order, for watches. */
  private log: WatchEvent[] = [];
  private listeners = new Set<() => void>();
  private closed = false;

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    for (const l of this.listeners) l();
  }

  private current(key: string): KeyValue | undefined {
    const vs = this.history.get(key);
    const last = vs?.[vs.length - 1];
    return last && last.until === Infinity && !last.deleted ? last.kv : undefined;
  }

  private at(key: string, rev: number): KeyValue | undefined {
    const vs = this.history.get(key);
    if (!vs) return undefined;
    for (let i = vs.length - 1; i >= 0; i--) {
      const v = vs[i]!;
      if (v.kv.modRevision <= rev && rev < v.until) return v.deleted ? undefined : v.kv;
    }
    return undefined;
  }

  private checkRevision(rev: number | undefined): number {
    if (!rev) return this.revision;
    if (rev < this.compacted) throw new StorageError('Compacted', `required revision ${rev} has been compacted (compacted at ${this.compacted})`);
    if (rev > this.revision) throw new StorageError('FutureRevision', `required revision ${rev} is a future revision (current ${this.revision})`);
    return rev;
  }

  private emit(ev: WatchEvent): void {
    this.log.push(ev);
    for (const l of this.listeners) l();
  }

  private push(key: string, kv: KeyValue, deleted: boolean): void {
    let vs = this.history.get(key);
    if (!vs) {
      this.history.set(key, (vs = []));
      this.sortedKeys.insert(key);
    }
    const last = vs[vs.length - 1];
    if (last && last.until === Infinity) last.until = kv.modRevision;
    vs.push({ kv, until: deleted ? kv.modRevision : Infinity, deleted });
  }

  /** Keys under prefix (after startAfter when given), in order. */
  private *keysUnder(prefix: string, startAfter?: string): Iterable<string> {
    const from = startAfter && startAfter >= prefix ? startAfter : prefix;
    for (const k of this.sortedKeys.from(from)) {
      if (k === startAfter) continue;
      if (!k.startsWith(prefix)) return;
      yield k;
    }
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<GetResult> {
    const rev = this.checkRevision(opts.revision);
    const kv = opts.revision ? this.at(key, rev) : this.current(key);
    return { revision: this.revision, kv };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const rev = this.checkRevision(opts.revision);
    const kvs: KeyValue[] = [];
    let more = false;
    for (const k of this.keysUnder(prefix, opts.startAfter)) {
      const kv = opts.revision ? this.at(k, rev) : this.current(k);
      if (!kv) continue;
      if (opts.limit && kvs.length === opts.limit) {
        more = true;
        break;
      }
      kvs.push(kv);
    }
    return { revision: rev, kvs, more };
  }

  async count(prefix: string): Promise<{ revision: number; count: number }> {
    let count = 0;
    for (const k of this.keysUnder(prefix)) if (this.current(k)) count++;
    return { revision: this.revision, count };
  }

  async create(key: string, value: Uint8Array): Promise<{ revision: number; kv: KeyValue }> {
    if (this.closed) throw new StorageError('Closed', 'backend closed');
    if (this.current(key)) throw new StorageError('KeyExists', `key exists: ${key}`);
    const rev = ++this.revision;
    const kv: KeyValue = { key, value, createRevision: rev, modRevision: rev };
    this.push(key, kv, false);
    this.emit({ type: 'create', kv });
    return { revision: rev, kv };
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult> {
    if (this.closed) throw new StorageError('Closed', 'backend closed');
    const cur = this.current(key);
    if (!cur || cur.modRevision !== expectedModRevision) return { ok: false, revision: this.revision, kv: cur };
    const rev = ++this.revision;
    const kv: KeyValue = { key, value, createRevision: cur.createRevision, modRevision: rev };
    this.push(key, kv, false);
    this.emit({ type: 'update', kv, prevKv: cur });
    return { ok: true, revision: rev, kv };
  }

  async delete(key: string, expectedModRevision: number): Promise<DeleteResult> {
    if (this.closed) throw new StorageError('Closed', 'backend closed');
    const cur = this.current(key);
    if (!cur || (expectedModRevision !== 0 && cur.modRevision !== expectedModRevision)) return { ok: false, revision: this.revision, kv: cur };
    const rev = ++this.revision;
    const tomb: KeyValue = { ...cur, modRevision: rev };
    this.push(key, tomb, true);
    this.emit({ type: 'delete', kv: tomb, prevKv: cur });
    return { ok: true, revision: rev, kv: cur };
  }

  async *watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent[]> {
    if (opts.afterRevision < this.compacted)
      throw new StorageError('Compacted', `required revision ${opts.afterRevision} has been compacted (compacted at ${this.compacted})`);
    let after = opts.afterRevision;
    let wake: (() => void) | undefined;
    const listener = () => wake?.();
    this.listeners.add(listener);
    opts.signal.addEventListener('abort', listener);
    try {
      while (!opts.signal.aborted && !this.closed) {
        // Binary search the first event after `after`.
        let lo = 0;
        let hi = this.log.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (this.log[mid]!.kv.modRevision <= after) lo = mid + 1;
          else hi = mid;
        }
        const batch = this.log.slice(lo).filter((e) => e.kv.key.startsWith(prefix));
        if (this.log.length > lo) after = this.log[this.log.length - 1]!.kv.modRevision;
        if (batch.length) {
          yield batch;
          // Let timers and I/O run before the next batch. In one process every write and
          // watch hop is a promise continuation, so without this a busy cluster can keep
          // the microtask queue full and starve sockets (TLS handshakes time out) and
          // timers; meanwhile further writes gather into the next, larger batch.
          await new Promise<void>((r) => setImmediate(r));
          continue;
        }
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      this.listeners.delete(listener);
      opts.signal.removeEventListener('abort', listener);
    }
  }

  async currentRevision(): Promise<number> {
    return this.revision;
  }

  async compactRevision(): Promise<number> {
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    const rev = Math.min(revision, this.revision);
    if (rev <= this.compacted) return;
    this.compacted = rev;
    for (const [key, vs] of this.history) {
      const kept = vs.filter((v) => v.until > rev);
      if (kept.length === 0) this.history.delete(key);
      else this.history.set(key, kept);
    }
    if (this.sortedKeys.size !== this.history.size) this.sortedKeys.retain((k) => this.history.has(k));
    let drop = 0;
    while (drop < this.log.length && this.log[drop]!.kv.modRevision <= rev) drop++;
    this.log.splice(0, drop);
  }
}
