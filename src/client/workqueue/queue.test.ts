import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './queue.ts';

/** Resolves to the queue's next key, or 'timeout' if none arrives within ms. */
function nextWithin<K>(q: WorkQueue<K>, ms: number): Promise<K | undefined | 'timeout'> {
  const ctl = new AbortController();
  const t = setTimeout(() => ctl.abort(), ms);
  return q.get(ctl.signal).then((k) => {
    clearTimeout(t);
    return ctl.signal.aborted && k === undefined ? 'timeout' : k;
  });
}

describe('WorkQueue', () => {
  it('hands keys out in FIFO order and never holds a key twice', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.length, 0);
  });

  it('re-queues a key added while it is processing only when done, and once', async () => {
    const q = new WorkQueue();
    q.add('a');
    const k = await q.get();
    assert.equal(k, 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.length, 0, 'not handed to a second worker while processing');
    assert.equal(await nextWithin(q, 20), 'timeout');
    q.done('a');
    assert.equal(q.length, 1);
    assert.equal(await q.get(), 'a');
    q.done('a');
    assert.equal(q.length, 0, 'done without a new add does not re-queue');
  });

  it('gives a waiting worker a key added later', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.add('x');
    assert.equal(await waiting, 'x');
    // The key is processing now, so a second add waits for done.
    q.add('x');
    assert.equal(q.length, 0);
    q.done('x');
    assert.equal(await q.get(), 'x');
  });

  it('adds after a delay, and an earlier pending delay for the key wins', async () => {
    const q = new WorkQueue();
    const t0 = performance.now();
    q.addAfter('d', 40);
    q.addAfter('d', 5000);
    assert.equal(q.length, 0);
    assert.equal(await nextWithin(q, 2000), 'd');
    assert.ok(performance.now() - t0 >= 35, 'not before its delay');
    q.done('d');
    assert.equal(await nextWithin(q, 100), 'timeout', 'the second, longer delay was dropped');
    q.addAfter('now', 0);
    assert.equal(q.length, 1, 'a zero delay adds at once');
  });

  it('moves a waiting key up when it is added again with a shorter delay', async () => {
    const q = new WorkQueue();
    const t0 = performance.now();
    q.addAfter('k', 5000);
    q.addAfter('k', 30);
    assert.equal(await nextWithin(q, 1000), 'k', 'the sooner time wins, not the first call');
    assert.ok(performance.now() - t0 >= 29);
    q.done('k');
    assert.equal(await nextWithin(q, 100), 'timeout', 'and the key comes only once');
  });

  /** Time from addRateLimited to the key coming out, ms. */
  async function retryDelay(q: WorkQueue, key: string): Promise<number> {
    const t = performance.now();
    q.addRateLimited(key);
    assert.equal(await nextWithin(q, 5000), key);
    q.done(key);
    return performance.now() - t;
  }

  it('backs off exponentially per key on addRateLimited, capped at maxMs', async () => {
    const q = new WorkQueue({ baseMs: 10, maxMs: 45 });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) delays.push(await retryDelay(q, 'r'));
    assert.equal(q.numRequeues('r'), 6);
    assert.equal(q.numRequeues('other'), 0, 'failures are counted per key');
    // 10, 20, 40, then 45 (timers never fire early; 1 ms for clock rounding).
    const floors = [10, 20, 40, 45, 45, 45];
    delays.forEach((d, i) => assert.ok(d >= floors[i]! - 1, `delay ${i} was ${d.toFixed(0)} ms`));
    // Uncapped, the sixth would wait 320 ms.
    assert.ok(delays[5]! < 250, `capped: ${delays[5]!.toFixed(0)} ms`);
  });

  it("forget resets a key's back-off to the base delay", async () => {
    const q = new WorkQueue({ baseMs: 10, maxMs: 10_000 });
    for (let i = 0; i < 5; i++) q.addRateLimited('f');
    // Five failures counted (the delayed adds collapse into one pending add).
    assert.equal(q.numRequeues('f'), 5);
    assert.equal(await nextWithin(q, 5000), 'f');
    q.done('f');
    q.forget('f');
    assert.equal(q.numRequeues('f'), 0);
    // Without forget this would be 10·2^5 = 320 ms.
    const d = await retryDelay(q, 'f');
    assert.ok(d < 250, `after forget: ${d.toFixed(0)} ms`);
  });

  it('releases every waiting worker on shutDown and ignores later adds', async () => {
    const q = new WorkQueue();
    const waiters = [q.get(), q.get(), q.get()];
    q.addAfter('late', 10);
    q.shutDown();
    assert.deepEqual(await Promise.all(waiters), [undefined, undefined, undefined]);
    q.add('x');
    assert.equal(q.length, 0);
    assert.equal(await q.get(), undefined);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(q.length, 0, 'a pending delayed add was cancelled');
  });

  it('still hands out keys queued before shutDown, then undefined', async () => {
    // client-go hands out what is queued even after ShutDown; workers drain, then see shutdown.
    const q = new WorkQueue();
    q.add('a');
    q.shutDown();
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), undefined);
  });

  it('a get aborted by its signal resolves undefined and loses no key', async () => {
    const q = new WorkQueue();
    const ctl = new AbortController();
    const aborted = q.get(ctl.signal);
    ctl.abort();
    assert.equal(await aborted, undefined);
    q.add('k');
    assert.equal(await q.get(), 'k', 'the key went to a live worker, not the aborted one');
    q.done('k');
    const pre = new AbortController();
    pre.abort();
    assert.equal(await q.get(pre.signal), undefined, 'an already-aborted signal returns at once when empty');
    q.add('queued');
    assert.equal(await q.get(pre.signal), undefined, 'an aborted caller starts no more work, even with keys queued');
    assert.equal(await q.get(), 'queued', 'the key stays for a live worker');
  });

  it('compacts its backing array without losing order', async () => {
    const q = new WorkQueue<number>();
    for (let i = 0; i < 5000; i++) q.add(i);
    for (let i = 0; i < 3000; i++) {
      assert.equal(await q.get(), i);
      q.done(i);
    }
    for (let i = 5000; i < 5100; i++) q.add(i);
    const rest: number[] = [];
    while (q.length) rest.push((await q.get())!);
    assert.deepEqual(rest, Array.from({ length: 2100 }, (_, i) => 3000 + i));
  });
});
