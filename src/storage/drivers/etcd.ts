/**
 * @module etcd v3 driver through the `etcd3` client. Revisions are etcd's own; create is a
 * transaction on createRevision == 0, update and delete compare modRevision, watches start at
 * afterRevision + 1 with previous values. etcd's "compacted"/"future revision" errors map to
 * the closed storage error codes.
 */
import type { Etcd3, IKeyValue } from 'etcd3';
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

function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

function mapError(err: unknown): unknown {
  const msg = (err as Error)?.message ?? '';
  if (msg.includes('required revision has been compacted')) return new StorageError('Compacted', msg);
  if (msg.includes('required revision is a future revision')) return new StorageError('FutureRevision', msg);
  if (/unavailable|ECONNREFUSED|No connections available/i.test(msg)) return new StorageError('Unavailable', msg);
  return err;
}

export class EtcdBackend implements Backend {
  private client!: Etcd3;
  private readonly prefix: string;
  private compacted = 0;

  constructor(private readonly opts: { endpoints: string[]; prefix?: string }) {
    this.prefix = opts.prefix ?? '';
  }

  private toKv(kv: IKeyValue): KeyValue {
    return {
      key: kv.key.toString('utf8').slice(this.prefix.length),
      value: new Uint8Array(kv.value ?? Buffer.alloc(0)),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }

  private k(key: string): Buffer {
    return Buffer.from(this.prefix + key);
  }

  async start(): Promise<void> {
    // Loaded only when an etcd datastore is used: gRPC and etcd's protos cost ~10 MB of RSS.
    const { Etcd3 } = await import('etcd3');
    this.client = new Etcd3({ hosts: this.opts.endpoints });
    await this.currentRevision();
  }

  async close(): Promise<void> {
    this.client?.close();
  }

  private async guard<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      throw mapError(err);
    }
  }

  get(key: string, opts: { revision?: number } = {}): Promise<GetResult> {
    return this.guard(async () => {
      const res = await this.client.kv.range({ key: this.k(key), revision: opts.revision || undefined });
      const kv = res.kvs[0];
      return { revision: Number(res.header.revision), kv: kv ? this.toKv(kv) : undefined };
    });
  }

  list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    return this.guard(async () => {
      const start = opts.startAfter ? Buffer.concat([this.k(opts.startAfter), Buffer.from([0])]) : this.k(prefix);
      const res = await this.client.kv.range({
        key: start,
        range_end: prefixEnd(this.k(prefix)),
        limit: opts.limit || undefined,
        revision: opts.revision || undefined,
        sort_order: 'Ascend',
        sort_target: 'Key',
      });
      return { revision: opts.revision || Number(res.header.revision), kvs: res.kvs.map((kv) => this.toKv(kv)), more: !!res.more };
    });
  }

  count(prefix: string): Promise<{ revision: number; count: number }> {
    return this.guard(async () => {
      const res = await this.client.kv.range({ key: this.k(prefix), range_end: prefixEnd(this.k(prefix)), count_only: true });
      return { revision: Number(res.header.revision), count: Number(res.count) };
    });
  }

  create(key: string, value: Uint8Array): Promise<{ revision: number; kv: KeyValue }> {
    return this.guard(async () => {
      const res = await this.client.kv.txn({
        compare: [{ key: this.k(key), target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: this.k(key), value: Buffer.from(value) } }],
      });
      if (!res.succeeded) throw new StorageError('KeyExists', `key exists: ${key}`);
      const rev = Number(res.header.revision);
      return { revision: rev, kv: { key, value, createRevision: rev, modRevision: rev } };
    });
  }

  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult> {
    return this.guard(async () => {
      const res = await this.client.kv.txn({
        compare: [{ key: this.k(key), target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }],
        success: [{ request_put: { key: this.k(key), value: Buffer.from(value), prev_kv: true } }],
        failure: [{ request_range: { key: this.k(key) } }],
      });
      const rev = Number(res.header.revision);
      if (!res.succeeded) {
        const cur = res.responses[0]?.response_range?.kvs[0];
        return { ok: false, revision: rev, kv: cur ? this.toKv(cur) : undefined };
      }
      const prev = res.responses[0]?.response_put?.prev_kv;
      return { ok: true, revision: rev, kv: { key, value, createRevision: prev ? Number(prev.create_revision) : rev, modRevision: rev } };
    });
  }

  delete(key: string, expectedModRevision: number): Promise<DeleteResult> {
    return this.guard(async () => {
      const compare = expectedModRevision
        ? [{ key: this.k(key), target: 'Mod' as const, result: 'Equal' as const, mod_revision: expectedModRevision }]
        : [{ key: this.k(key), target: 'Create' as const, result: 'Greater' as const, create_revision: 0 }];
      const res = await this.client.kv.txn({
        compare,
        success: [{ request_delete_range: { key: this.k(key), prev_kv: true } }],
        failure: [{ request_range: { key: this.k(key) } }],
      });
      const rev = Number(res.header.revision);
      if (!res.succeeded) {
        const cur = res.responses[0]?.response_range?.kvs[0];
        return { ok: false, revision: rev, kv: cur ? this.toKv(cur) : undefined };
      }
      const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
      if (!prev) return { ok: false, revision: rev };
      return { ok: true, revision: rev, kv: this.toKv(prev) };
    });
  }

  async *watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent[]> {
    // etcd3's watcher retries on compaction silently, so check the history is there first.
    if (opts.afterRevision > 0 && opts.afterRevision < (await this.currentRevision())) {
      await this.guard(() => this.client.kv.range({ key: this.k(prefix), range_end: prefixEnd(this.k(prefix)), revision: opts.afterRevision + 1, limit: 1, keys_only: true }));
    }
    const queue: WatchEvent[][] = [];
    let wake: (() => void) | undefined;
    let failure: unknown;
    const watcher = await this.client
      .watch()
      .prefix(this.k(prefix))
      .startRevision(String(opts.afterRevision + 1))
      .withPreviousKV()
      .create();
    watcher.on('data', (res) => {
      const batch: WatchEvent[] = [];
      for (const ev of res.events) {
        const kv = this.toKv(ev.kv);
        const prevKv = ev.prev_kv ? this.toKv(ev.prev_kv) : undefined;
        if (ev.type === 'Delete') batch.push({ type: 'delete', kv: { ...(prevKv ?? kv), modRevision: kv.modRevision }, prevKv });
        else batch.push({ type: kv.createRevision === kv.modRevision ? 'create' : 'update', kv, prevKv });
      }
      if (batch.length) queue.push(batch);
      wake?.();
    });
    watcher.on('error', (err) => {
      failure = mapError(err);
      wake?.();
    });
    const onAbort = () => wake?.();
    opts.signal.addEventListener('abort', onAbort);
    try {
      while (!opts.signal.aborted) {
        if (queue.length) {
          yield queue.shift()!;
          continue;
        }
        if (failure) throw failure;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      opts.signal.removeEventListener('abort', onAbort);
      await watcher.cancel().catch(() => {});
    }
  }

  currentRevision(): Promise<number> {
    return this.guard(async () => {
      const res = await this.client.kv.range({ key: Buffer.from(this.prefix + '/'), limit: 1, keys_only: true });
      return Number(res.header.revision);
    });
  }

  async compactRevision(): Promise<number> {
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    if (revision <= this.compacted) return;
    try {
      await this.client.kv.compact({ revision, physical: false });
    } catch (err) {
      const mapped = mapError(err);
      if (!(mapped instanceof StorageError && mapped.code === 'Compacted')) throw mapped;
    }
    this.compacted = revision;
  }
}
