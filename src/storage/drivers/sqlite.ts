/**
 * @module SQLite driver (kine's log-structured layout): every write appends a row whose id is
 * the new revision; the latest row of a key is its current value, a `deleted` row a tombstone.
 * WAL with synchronous=FULL for durable commits; writes issued in the same tick share one
 * transaction (group commit) while each keeps its own revision and compare-and-swap result.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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

interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: Buffer | null;
  old_value: Buffer | null;
}

type Op =
  | { kind: 'create'; key: string; value: Uint8Array; resolve: (r: { revision: number; kv: KeyValue }) => void; reject: (e: unknown) => void }
  | { kind: 'update'; key: string; value: Uint8Array; expected: number; resolve: (r: WriteResult) => void; reject: (e: unknown) => void }
  | { kind: 'delete'; key: string; expected: number; resolve: (r: DeleteResult) => void; reject: (e: unknown) => void };

const toKv = (r: Row): KeyValue => ({
  key: r.name,
  value: new Uint8Array(r.value ?? Buffer.alloc(0)),
  createRevision: r.created ? r.id : r.create_revision,
  modRevision: r.id,
});

export class SqliteBackend implements Backend {
  private db!: Database.Database;
  private queue: Op[] = [];
  private scheduled = false;
  private listeners = new Set<(events: WatchEvent[]) => void>();
  private revision = 0;
  private compacted = 0;
  private closed = false;
  private stmts!: {
    latest: Database.Statement;
    latestAt: Database.Statement;
    insert: Database.Statement;
    list: Database.Statement;
    listAt: Database.Statement;
    count: Database.Statement;
    after: Database.Statement;
    setMeta: Database.Statement;
  };

  constructor(private readonly path: string) {}

  async start(): Promise<void> {
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    const db = (this.db = new Database(this.path));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`
      CREATE TABLE IF NOT EXISTS kine (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        created INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        create_revision INTEGER NOT NULL,
        prev_revision INTEGER NOT NULL,
        value BLOB,
        old_value BLOB
      );
      CREATE INDEX IF NOT EXISTS kine_name_id ON kine (name, id);
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
    `);
    this.stmts = {
      latest: db.prepare('SELECT * FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1'),
      latestAt: db.prepare('SELECT * FROM kine WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1'),
      insert: db.prepare('INSERT INTO kine (name, created, deleted, create_revision, prev_revision, value, old_value) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      // Current value of each key in [start, end): the newest row per name, not a tombstone.
      list: db.prepare(
        `SELECT k.* FROM kine k JOIN (SELECT name, MAX(id) AS id FROM kine WHERE name >= ? AND name < ? AND name > ? GROUP BY name) m ON k.id = m.id WHERE k.deleted = 0 ORDER BY k.name LIMIT ?`,
      ),
      listAt: db.prepare(
        `SELECT k.* FROM kine k JOIN (SELECT name, MAX(id) AS id FROM kine WHERE name >= ? AND name < ? AND name > ? AND id <= ? GROUP BY name) m ON k.id = m.id WHERE k.deleted = 0 ORDER BY k.name LIMIT ?`,
      ),
      count: db.prepare(
        `SELECT COUNT(*) AS c FROM kine k JOIN (SELECT name, MAX(id) AS id FROM kine WHERE name >= ? AND name < ? GROUP BY name) m ON k.id = m.id WHERE k.deleted = 0`,
      ),
      after: db.prepare('SELECT * FROM kine WHERE id > ? AND name >= ? AND name < ? ORDER BY id LIMIT 1000'),
      setMeta: db.prepare('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v'),
    };
    this.revision = (db.prepare('SELECT COALESCE(MAX(id), 0) AS r FROM kine').get() as { r: number }).r;
    const seq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'kine'").get() as { seq: number } | undefined;
    if (seq && seq.seq > this.revision) this.revision = seq.seq;
    this.compacted = (db.prepare("SELECT v FROM meta WHERE k = 'compact_rev'").get() as { v: number } | undefined)?.v ?? 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flushNow();
    for (const l of this.listeners) l([]);
    this.db?.close();
  }

  private checkRevision(rev: number | undefined): number {
    if (!rev) return this.revision;
    if (rev < this.compacted) throw new StorageError('Compacted', `required revision ${rev} has been compacted (compacted at ${this.compacted})`);
    if (rev > this.revision) throw new StorageError('FutureRevision', `required revision ${rev} is a future revision (current ${this.revision})`);
    return rev;
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<GetResult> {
    const rev = this.checkRevision(opts.revision);
    const row = (opts.revision ? this.stmts.latestAt.get(key, rev) : this.stmts.latest.get(key)) as Row | undefined;
    return { revision: this.revision, kv: row && !row.deleted ? toKv(row) : undefined };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const rev = this.checkRevision(opts.revision);
    const end = prefixEnd(prefix);
    const limit = opts.limit && opts.limit > 0 ? opts.limit + 1 : -1;
    const after = opts.startAfter ?? '';
    const rows = (opts.revision ? this.stmts.listAt.all(prefix, end, after, rev, limit) : this.stmts.list.all(prefix, end, after, limit)) as Row[];
    const more = opts.limit ? rows.length > opts.limit : false;
    return { revision: rev, kvs: (more ? rows.slice(0, opts.limit) : rows).map(toKv), more };
  }

  async count(prefix: string): Promise<{ revision: number; count: number }> {
    const r = this.stmts.count.get(prefix, prefixEnd(prefix)) as { c: number };
    return { revision: this.revision, count: r.c };
  }

  private enqueue(op: Op): void {
    if (this.closed) {
      op.reject(new StorageError('Closed', 'backend closed'));
      return;
    }
    this.queue.push(op);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flushNow());
    }
  }

  /** Runs every queued write in one transaction, then tells watchers. */
  private async flushNow(): Promise<void> {
    this.scheduled = false;
    const ops = this.queue;
    this.queue = [];
    if (ops.length === 0) return;
    const events: WatchEvent[] = [];
    const results: (() => void)[] = [];
    const insert = (key: string, created: number, deleted: number, createRev: number, prevRev: number, value: Uint8Array | null, old: Uint8Array | null) =>
      Number(this.stmts.insert.run(key, created, deleted, createRev, prevRev, value ? Buffer.from(value) : null, old ? Buffer.from(old) : null).lastInsertRowid);
    try {
      this.db.transaction(() => {
        for (const op of ops) {
          const cur = this.stmts.latest.get(op.key) as Row | undefined;
          const live = cur && !cur.deleted ? cur : undefined;
          if (op.kind === 'create') {
            if (live) {
              results.push(() => op.reject(new StorageError('KeyExists', `key exists: ${op.key}`)));
              continue;
            }
            const id = insert(op.key, 1, 0, 0, cur?.id ?? 0, op.value, null);
            const kv: KeyValue = { key: op.key, value: op.value, createRevision: id, modRevision: id };
            events.push({ type: 'create', kv });
            results.push(() => op.resolve({ revision: id, kv }));
          } else if (op.kind === 'update') {
            if (!live || live.id !== op.expected) {
              const current = live ? toKv(live) : undefined;
              results.push(() => op.resolve({ ok: false, revision: this.revision, kv: current }));
              continue;
            }
            const prev = toKv(live);
            const id = insert(op.key, 0, 0, toKv(live).createRevision, live.id, op.value, live.value);
            const kv: KeyValue = { key: op.key, value: op.value, createRevision: prev.createRevision, modRevision: id };
            events.push({ type: 'update', kv, prevKv: prev });
            results.push(() => op.resolve({ ok: true, revision: id, kv }));
          } else {
            if (!live || (op.expected !== 0 && live.id !== op.expected)) {
              const current = live ? toKv(live) : undefined;
              results.push(() => op.resolve({ ok: false, revision: this.revision, kv: current }));
              continue;
            }
            const prev = toKv(live);
            const id = insert(op.key, 0, 1, toKv(live).createRevision, live.id, live.value, live.value);
            events.push({ type: 'delete', kv: { ...prev, modRevision: id }, prevKv: prev });
            results.push(() => op.resolve({ ok: true, revision: id, kv: prev }));
          }
        }
      })();
    } catch (err) {
      for (const op of ops) op.reject(err);
      return;
    }
    if (events.length) this.revision = events[events.length - 1]!.kv.modRevision;
    for (const r of results) r();
    if (events.length) for (const l of this.listeners) l(events);
  }

  create(key: string, value: Uint8Array): Promise<{ revision: number; kv: KeyValue }> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'create', key, value, resolve, reject }));
  }

  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'update', key, value, expected: expectedModRevision, resolve, reject }));
  }

  delete(key: string, expectedModRevision: number): Promise<DeleteResult> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'delete', key, expected: expectedModRevision, resolve, reject }));
  }

  private rowEvent(r: Row): WatchEvent {
    const kv = toKv(r);
    if (r.deleted) {
      const prev: KeyValue = { ...kv, modRevision: r.prev_revision };
      return { type: 'delete', kv, prevKv: prev };
    }
    if (r.created) return { type: 'create', kv };
    return { type: 'update', kv, prevKv: { key: r.name, value: new Uint8Array(r.old_value ?? Buffer.alloc(0)), createRevision: r.create_revision, modRevision: r.prev_revision } };
  }

  async *watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent[]> {
    if (opts.afterRevision < this.compacted)
      throw new StorageError('Compacted', `required revision ${opts.afterRevision} has been compacted (compacted at ${this.compacted})`);
    const live: WatchEvent[][] = [];
    let wake: (() => void) | undefined;
    const listener = (events: WatchEvent[]) => {
      live.push(events);
      wake?.();
    };
    // Subscribe first, then read history up to the revision we know; live events above it follow.
    this.listeners.add(listener);
    const onAbort = () => wake?.();
    opts.signal.addEventListener('abort', onAbort);
    let after = opts.afterRevision;
    const end = prefixEnd(prefix);
    try {
      const until = this.revision;
      while (after < until && !opts.signal.aborted) {
        const rows = (this.stmts.after.all(after, prefix, end) as Row[]).filter((r) => r.id <= until);
        if (rows.length === 0) break;
        after = rows[rows.length - 1]!.id;
        yield rows.map((r) => this.rowEvent(r));
      }
      after = Math.max(after, until);
      while (!opts.signal.aborted && !this.closed) {
        const batch = live.shift();
        if (!batch) {
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
          continue;
        }
        const mine = batch.filter((e) => e.kv.modRevision > after && e.kv.key.startsWith(prefix));
        if (batch.length) after = Math.max(after, batch[batch.length - 1]!.kv.modRevision);
        if (mine.length) yield mine;
      }
    } finally {
      this.listeners.delete(listener);
      opts.signal.removeEventListener('abort', onAbort);
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
    this.db.transaction(() => {
      // Rows superseded at or before `rev`, and tombstones at or before it, are history only.
      this.db.prepare('DELETE FROM kine WHERE id <= ? AND id < (SELECT MAX(id) FROM kine k2 WHERE k2.name = kine.name AND k2.id <= ?)').run(rev, rev);
      this.db.prepare('DELETE FROM kine WHERE id <= ? AND deleted = 1').run(rev);
      this.stmts.setMeta.run('compact_rev', rev);
    })();
    this.compacted = rev;
  }
}

/** The smallest string greater than every string starting with `prefix`. */
function prefixEnd(prefix: string): string {
  return prefix + '\uffff';
}
