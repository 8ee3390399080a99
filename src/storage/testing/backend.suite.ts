/**
 * @module The one test suite every storage driver passes: CRUD with compare-and-swap, prefix
 * lists with paging and historical reads, watches (history then live, no gaps), compaction.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isStorageError, type Backend, type WatchEvent } from '../interface.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

export interface SuiteTarget {
  backend: Backend;
  cleanup(): Promise<void>;
}

async function collect(b: Backend, prefix: string, afterRevision: number, count: number): Promise<WatchEvent[]> {
  const ctl = new AbortController();
  const out: WatchEvent[] = [];
  const timer = setTimeout(() => ctl.abort(), 5000);
  try {
    for await (const batch of b.watch(prefix, { afterRevision, signal: ctl.signal })) {
      out.push(...batch);
      if (out.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
    ctl.abort();
  }
  return out;
}

export function runBackendSuite(name: string, open: () => Promise<SuiteTarget>, opts: { skip?: string | false } = {}): void {
  describe(`storage backend: ${name}`, { skip: opts.skip || false }, () => {
    let t: SuiteTarget;
    let b: Backend;
    before(async () => {
      t = await open();
      b = t.backend;
    });
    after(async () => {
      await t?.cleanup();
    });

    it('creates once and reads back', async () => {
      const c = await b.create('/t/crud/a', enc('1'));
      assert.equal(c.kv.createRevision, c.revision);
      assert.equal(c.kv.modRevision, c.revision);
      await assert.rejects(b.create('/t/crud/a', enc('2')), (e) => isStorageError(e, 'KeyExists'));
      const g = await b.get('/t/crud/a');
      assert.equal(dec(g.kv?.value), '1');
      assert.equal((await b.get('/t/crud/missing')).kv, undefined);
    });

    it('updates and deletes by compare-and-swap', async () => {
      const c = await b.create('/t/cas/a', enc('1'));
      const u = await b.update('/t/cas/a', enc('2'), c.kv.modRevision);
      assert.ok(u.ok);
      assert.equal(u.kv.createRevision, c.kv.createRevision);
      const lost = await b.update('/t/cas/a', enc('3'), c.kv.modRevision);
      assert.equal(lost.ok, false);
      assert.equal(dec(lost.kv?.value), '2');
      const badDel = await b.delete('/t/cas/a', c.kv.modRevision);
      assert.equal(badDel.ok, false);
      const del = await b.delete('/t/cas/a', u.ok ? u.kv.modRevision : 0);
      assert.ok(del.ok);
      assert.equal((await b.get('/t/cas/a')).kv, undefined);
      await b.create('/t/cas/b', enc('x'));
      assert.ok((await b.delete('/t/cas/b', 0)).ok, 'unconditional delete');
      const again = await b.create('/t/cas/a', enc('new'));
      assert.equal(again.kv.createRevision, again.revision, 'recreated key has a new createRevision');
    });

    it('lists a prefix in key order with paging and old revisions', async () => {
      for (const k of ['c', 'a', 'b', 'd']) await b.create(`/t/list/${k}`, enc(k));
      await b.create('/t/listx/z', enc('z'));
      const all = await b.list('/t/list/');
      assert.deepEqual(all.kvs.map((kv) => dec(kv.value)), ['a', 'b', 'c', 'd']);
      const page = await b.list('/t/list/', { limit: 2 });
      assert.deepEqual(page.kvs.map((kv) => dec(kv.value)), ['a', 'b']);
      assert.equal(page.more, true);
      const rest = await b.list('/t/list/', { startAfter: page.kvs[1]!.key, limit: 5, revision: page.revision });
      assert.deepEqual(rest.kvs.map((kv) => dec(kv.value)), ['c', 'd']);
      assert.equal(rest.more, false);
      const before = await b.currentRevision();
      const a = (await b.get('/t/list/a')).kv!;
      await b.update('/t/list/a', enc('A'), a.modRevision);
      await b.delete('/t/list/b', 0);
      const old = await b.list('/t/list/', { revision: before });
      assert.deepEqual(old.kvs.map((kv) => dec(kv.value)), ['a', 'b', 'c', 'd']);
      assert.equal((await b.count('/t/list/')).count, 3);
    });

    it('watches history then live events without gaps', async () => {
      const start = await b.currentRevision();
      const c = await b.create('/t/w/a', enc('1'));
      await b.update('/t/w/a', enc('2'), c.kv.modRevision);
      await b.create('/t/other/x', enc('x'));
      const pending = collect(b, '/t/w/', start, 4);
      await b.create('/t/w/b', enc('3'));
      await b.delete('/t/w/a', 0);
      const events = await pending;
      assert.deepEqual(events.map((e) => `${e.type}:${e.kv.key}:${dec(e.kv.value)}`), ['create:/t/w/a:1', 'update:/t/w/a:2', 'create:/t/w/b:3', 'delete:/t/w/a:2']);
      const revs = events.map((e) => e.kv.modRevision);
      assert.deepEqual([...revs].sort((x, y) => x - y), revs);
      assert.equal(dec(events[3]!.prevKv?.value), '2');
      assert.equal(dec(events[1]!.prevKv?.value), '1');
    });

    it('gives concurrent writes distinct increasing revisions and one winner per key', async () => {
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => b.create('/t/race/one', enc('x'))));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const revs = await Promise.all(Array.from({ length: 200 }, (_, i) => b.create(`/t/many/${i}`, enc(String(i))).then((r) => r.revision)));
      assert.equal(new Set(revs).size, 200);
    });

    it('compacts history but keeps the latest values', async () => {
      const c = await b.create('/t/compact/a', enc('1'));
      const u0 = await b.update('/t/compact/a', enc('1b'), c.kv.modRevision);
      assert.ok(u0.ok);
      const u = await b.update('/t/compact/a', enc('2'), u0.kv.modRevision);
      assert.ok(u.ok);
      // Drivers differ on whether the compaction revision itself stays readable; test well below it.
      const now = await b.currentRevision();
      await b.compact(now);
      assert.equal(await b.compactRevision(), now);
      assert.equal(dec((await b.get('/t/compact/a')).kv?.value), '2');
      await assert.rejects(b.list('/t/compact/', { revision: c.revision }), (e) => isStorageError(e, 'Compacted'));
      await assert.rejects(collect(b, '/t/compact/', c.revision, 1), (e) => isStorageError(e, 'Compacted'));
      const more = await b.update('/t/compact/a', enc('3'), u.kv.modRevision);
      assert.ok(more.ok);
      const ev = await collect(b, '/t/compact/', now, 1);
      assert.equal(dec(ev[0]!.kv.value), '3');
    });

    it('ends a watch when its signal aborts', async () => {
      const ctl = new AbortController();
      const it = b.watch('/t/abort/', { afterRevision: await b.currentRevision(), signal: ctl.signal })[Symbol.asyncIterator]();
      const next = it.next();
      ctl.abort();
      const r = await next;
      assert.equal(r.done, true);
    });
  });
}
