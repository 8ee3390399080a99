/**
 * QueueRunner, the common body of a controller: waits for the informers' first sync, retries a
 * throwing reconcile with back-off, drops a TerminalError, honours requeueAfterMs, never runs
 * one key on two workers at once, and stops when its signal aborts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { InformerFactory } from '../../client/cache/factory.ts';
import { refs } from '../../client/refs.ts';
import { Client } from '../../client/rest.ts';
import type { Transport } from '../../client/transport.ts';
import { realClock } from '../../util/clock.ts';
import { createLogger } from '../../util/log.ts';
import { startInProcessApi, type InProcessApi } from '../../../test/support/in-process-api.ts';
import { eventually } from '../../../test/support/kubectl.ts';
import { QueueRunner, TerminalError, type ControllerContext } from './controller.ts';

describe('QueueRunner', () => {
  let server: InProcessApi;
  let inner: Transport;
  const logged: string[] = [];
  const logger = createLogger({}, { level: 'debug', write: (l) => logged.push(l) });

  before(async () => {
    server = await startInProcessApi();
    inner = server.transport;
  });
  after(() => server.stop());

  /** A context whose informer lists are held until `releaseLists` is called. */
  function context(): { ctx: ControllerContext; releaseLists: () => void } {
    let releaseLists!: () => void;
    const gate = new Promise<void>((r) => (releaseLists = r));
    const gated: Transport = {
      async request(req) {
        if (req.method === 'GET' && req.query?.get('watch') !== 'true') await gate;
        return inner.request(req);
      },
    };
    const client = new Client(gated);
    const informers = new InformerFactory(client, { clock: realClock, logger });
    const ctx: ControllerContext = { client, informers, recorder: { event: () => {} }, clock: realClock, logger };
    return { ctx, releaseLists };
  }

  /** Runs a QueueRunner until the test ends; returns its stop function. */
  function start(runner: QueueRunner, ctx: ControllerContext): { stop: () => Promise<void> } {
    const ctl = new AbortController();
    ctx.informers.start(ctl.signal);
    const running = runner.run(ctl.signal);
    return {
      stop: async () => {
        ctl.abort();
        await running;
        await ctx.informers.stopped();
      },
    };
  }

  it('does not reconcile until the informers have synced', async () => {
    const { ctx, releaseLists } = context();
    const inf = ctx.informers.informerFor<ConfigMap & KubeObject>(refs.configmaps, { namespace: 'default' });
    const seen: string[] = [];
    const runner = new QueueRunner(ctx, 'sync-test', async (key) => {
      assert.ok(inf.hasSynced, 'reconcile only runs after sync');
      seen.push(key);
    });
    runner.enqueue('default/early');
    const r = start(runner, ctx);
    try {
      await new Promise((res) => setTimeout(res, 100));
      assert.deepEqual(seen, [], 'nothing reconciled while the list is held');
      releaseLists();
      await eventually(() => seen.length === 1, 5000, 'reconciled after sync');
      assert.deepEqual(seen, ['default/early']);
    } finally {
      await r.stop();
    }
  });

  it('retries a throwing reconcile with growing back-off until it succeeds, then forgets', async () => {
    const { ctx, releaseLists } = context();
    releaseLists();
    const times: number[] = [];
    const runner = new QueueRunner(
      ctx,
      'retry-test',
      async () => {
        times.push(performance.now());
        if (times.length < 4) throw new Error('not yet');
      },
      { rateLimit: { baseMs: 20, maxMs: 1000 } },
    );
    const r = start(runner, ctx);
    try {
      runner.enqueue('k');
      await eventually(() => times.length === 4, 5000, 'four attempts');
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      // 20, 40, 80 ms (timers never fire early; allow 1 ms of clock rounding).
      assert.ok(gaps[0]! >= 19 && gaps[1]! >= 39 && gaps[2]! >= 79, `gaps ${gaps.map((g) => g.toFixed(0))}`);
      assert.equal(runner.queue.numRequeues('k'), 0, 'forgotten after success');
      await new Promise((res) => setTimeout(res, 200));
      assert.equal(times.length, 4, 'no retry after success');
    } finally {
      await r.stop();
    }
  });

  it('drops a key whose reconcile throws a TerminalError', async () => {
    const { ctx, releaseLists } = context();
    releaseLists();
    let calls = 0;
    const runner = new QueueRunner(ctx, 'terminal-test', async () => {
      calls++;
      throw new TerminalError('cannot ever work');
    }, { rateLimit: { baseMs: 5, maxMs: 50 } });
    const r = start(runner, ctx);
    try {
      logged.length = 0;
      runner.enqueue('bad');
      await eventually(() => calls === 1, 5000, 'reconciled once');
      await new Promise((res) => setTimeout(res, 150));
      assert.equal(calls, 1, 'not retried');
      assert.equal(runner.queue.numRequeues('bad'), 0);
      assert.ok(logged.some((l) => l.includes('reconcile failed for good') && l.includes('terminal-test') && l.includes('cannot ever work')), 'logged as an error');
      runner.enqueue('bad');
      await eventually(() => calls === 2, 5000, 'a new add reconciles it again');
    } finally {
      await r.stop();
    }
  });

  it('comes back after requeueAfterMs', async () => {
    const { ctx, releaseLists } = context();
    releaseLists();
    const times: number[] = [];
    const runner = new QueueRunner(ctx, 'requeue-test', async () => {
      times.push(performance.now());
      return times.length < 2 ? { requeueAfterMs: 60 } : undefined;
    });
    const r = start(runner, ctx);
    try {
      runner.enqueue('k');
      await eventually(() => times.length === 2, 5000, 'requeued');
      assert.ok(times[1]! - times[0]! >= 59, `after ${(times[1]! - times[0]!).toFixed(0)} ms`);
      await new Promise((res) => setTimeout(res, 150));
      assert.equal(times.length, 2, 'no requeue without a result asking for one');
    } finally {
      await r.stop();
    }
  });

  it('never reconciles one key on two workers at once, but runs different keys in parallel', async () => {
    const { ctx, releaseLists } = context();
    releaseLists();
    const active = new Map<string, number>();
    let maxSameKey = 0;
    let maxTotal = 0;
    let calls = 0;
    let release!: () => void;
    let blocker = new Promise<void>((r) => (release = r));
    const runner = new QueueRunner(
      ctx,
      'concurrency-test',
      async (key) => {
        calls++;
        active.set(key, (active.get(key) ?? 0) + 1);
        maxSameKey = Math.max(maxSameKey, active.get(key)!);
        maxTotal = Math.max(maxTotal, [...active.values()].reduce((a, b) => a + b, 0));
        await blocker;
        active.set(key, active.get(key)! - 1);
      },
      { workers: 3 },
    );
    const r = start(runner, ctx);
    try {
      runner.enqueue('a');
      runner.enqueue('b');
      await eventually(() => calls === 2, 5000, 'both keys started');
      runner.enqueue('a'); // while a is processing: queued again for after done
      await new Promise((res) => setTimeout(res, 50));
      assert.equal(calls, 2, 'the third worker did not take a while a runs');
      assert.equal(maxTotal, 2, 'a and b ran in parallel');
      const first = release;
      blocker = Promise.resolve();
      first();
      await eventually(() => calls === 3, 5000, 'a reconciled again after it finished');
      assert.equal(maxSameKey, 1);
    } finally {
      await r.stop();
    }
  });

  it('stops when its signal aborts, even with a retry pending', async () => {
    const { ctx, releaseLists } = context();
    releaseLists();
    let calls = 0;
    const runner = new QueueRunner(ctx, 'stop-test', async () => {
      calls++;
      throw new Error('always');
    }, { rateLimit: { baseMs: 10_000, maxMs: 10_000 } });
    const ctl = new AbortController();
    ctx.informers.start(ctl.signal);
    const running = runner.run(ctl.signal);
    runner.enqueue('k');
    await eventually(() => calls === 1, 5000, 'first attempt');
    const t = performance.now();
    ctl.abort();
    await running;
    assert.ok(performance.now() - t < 1000, 'returned promptly, without waiting for the retry');
    await ctx.informers.stopped();
  });
});
