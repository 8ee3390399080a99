import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock } from '../../util/clock.ts';
import { PodInfo } from '../framework/pod-info.ts';
import { PrioritySort } from '../plugins/priority-sort.ts';
import { makePod } from '../testing/fixtures.ts';
import { SchedulingQueue, type QueuedPodInfo } from './scheduling-queue.ts';

function fakeClock(): Clock & { advance(ms: number): void } {
  let t = 1_000_000;
  return { now: () => new Date(t), sleep: () => new Promise(() => {}), advance: (ms) => (t += ms) };
}

const sort = new PrioritySort();
const newQueue = (clock: Clock) => new SchedulingQueue((a, b) => sort.less(a, b), clock);
/** What the scheduler does on a FitError: the attempt's rejecting plugins go with the pod. */
const rejectedBy = (qp: QueuedPodInfo, ...plugins: string[]) => ((qp.unschedulablePlugins = new Set(plugins)), qp);

describe('SchedulingQueue', () => {
  it('releases a waiting pop when run starts with a signal that already aborted', async () => {
    const q = newQueue(fakeClock());
    const ctl = new AbortController();
    ctl.abort();
    const popped = q.pop();
    await q.run(ctl.signal);
    const r = await Promise.race([popped, new Promise<'waiting'>((res) => setTimeout(() => res('waiting'), 500))]);
    assert.equal(r, undefined);
  });

  it('pops higher priority first, then FIFO', async () => {
    const clock = fakeClock();
    const q = newQueue(clock);
    q.add(makePod('a', { priority: 1 }));
    clock.advance(1);
    q.add(makePod('b', { priority: 5 }));
    clock.advance(1);
    q.add(makePod('c', { priority: 1 }));
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await q.pop())!.podInfo.name);
    assert.deepEqual(order, ['b', 'a', 'c']);
  });

  it('parks unschedulable pods until a cluster event, then honours backoff', async () => {
    const clock = fakeClock();
    const q = newQueue(clock);
    q.add(makePod('p'));
    const qp = rejectedBy((await q.pop())!, 'NodeResourcesFit');
    const cycle = q.cycle;
    q.addUnschedulable(qp, cycle);
    assert.deepEqual(q.sizes(), { active: 0, backoff: 0, unschedulable: 1 });
    q.flush();
    assert.equal(q.sizes().unschedulable, 1, 'no event, no timeout: stays');
    // An event within the 1 s backoff goes to backoffQ, then to activeQ when it expires.
    q.moveAllToActiveOrBackoff();
    assert.deepEqual(q.sizes(), { active: 0, backoff: 1, unschedulable: 0 });
    clock.advance(999);
    q.flush();
    assert.equal(q.sizes().active, 0);
    clock.advance(1);
    q.flush();
    assert.equal(q.sizes().active, 1);
  });

  it('backs off exponentially from 1 s to at most 10 s', async () => {
    const clock = fakeClock();
    const q = newQueue(clock);
    q.add(makePod('p'));
    const got: number[] = [];
    for (let i = 0; i < 6; i++) {
      const qp = (await q.pop())!;
      got.push(q.backoffDurationMs(qp));
      q.addUnschedulable(qp, q.cycle, { error: true });
      clock.advance(q.backoffDurationMs(qp));
      q.flush();
    }
    assert.deepEqual(got, [1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('a move request during the cycle sends the failed pod to backoff, not the pool', async () => {
    const clock = fakeClock();
    const q = newQueue(clock);
    q.add(makePod('p'));
    const qp = rejectedBy((await q.pop())!, 'NodeResourcesFit');
    const cycle = q.cycle;
    q.moveAllToActiveOrBackoff(); // e.g. a node was added while p was being scheduled
    q.addUnschedulable(qp, cycle);
    assert.deepEqual(q.sizes(), { active: 0, backoff: 1, unschedulable: 0 });
  });

  it('a failed attempt that no plugin rejected goes to backoff, not the pool', async () => {
    // e.g. "no nodes available", or PreFilter narrowing to nodes that are gone: nothing names
    // a plugin whose hints could ever move the pod, so parking it would wait for the flush.
    const clock = fakeClock();
    const q = newQueue(clock);
    q.add(makePod('p'));
    const qp = (await q.pop())!;
    q.addUnschedulable(qp, q.cycle);
    assert.deepEqual(q.sizes(), { active: 0, backoff: 1, unschedulable: 0 });
    clock.advance(1000);
    q.flush();
    assert.equal((await q.pop())!.podInfo.name, 'p', 'retried once the backoff expires');
  });

  it('the rejectors of an earlier attempt do not decide a later one', async () => {
    const clock = fakeClock();
    const q = newQueue(clock);
    q.add(makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } }));
    q.addUnschedulable(rejectedBy((await q.pop())!, 'NodeAffinity'), q.cycle);
    clock.advance(10_000);
    q.moveAllToActiveOrBackoff();
    const second = (await q.pop())!;
    assert.equal(second.unschedulablePlugins.size, 0, 'cleared when popped, as upstream does');
    // This attempt failed without a rejecting plugin: a node-label-only hint must not park it.
    q.addUnschedulable(second, q.cycle);
    assert.deepEqual(q.sizes(), { active: 0, backoff: 1, unschedulable: 0 });
  });

  it('flushes pods unschedulable for 5 minutes', async () => {
    const clock = fakeClock();
    const q = newQueue(clock);
    q.add(makePod('p'));
    q.addUnschedulable(rejectedBy((await q.pop())!, 'NodeResourcesFit'), q.cycle);
    clock.advance(5 * 60_000 - 1);
    q.flush();
    assert.equal(q.sizes().unschedulable, 1);
    clock.advance(1);
    q.flush();
    assert.equal(q.sizes().active, 1);
  });

  it('a spec change moves an unschedulable pod back; a status-only change does not', async () => {
    const clock = fakeClock();
    const q = newQueue(clock);
    const p = makePod('p');
    q.add(p);
    q.addUnschedulable(rejectedBy((await q.pop())!, 'NodeResourcesFit'), q.cycle);
    clock.advance(5000);
    q.update(new PodInfo({ ...p.pod, metadata: { ...p.pod.metadata, resourceVersion: '9' }, status: { phase: 'Pending' } }, 0));
    assert.equal(q.sizes().unschedulable, 1);
    q.update(new PodInfo({ ...p.pod, spec: { ...p.pod.spec!, nodeSelector: { a: 'b' } } }, 0));
    assert.equal(q.sizes().active, 1);
  });

  it('pop resolves when a pod arrives, and undefined after close', async () => {
    const q = newQueue(fakeClock());
    const waiting = q.pop();
    q.add(makePod('late'));
    assert.equal((await waiting)?.podInfo.name, 'late');
    const ended = q.pop();
    q.close();
    assert.equal(await ended, undefined);
  });
});
