import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { prometheusQueueMetrics, withQueueMetrics } from './metrics.ts';
import { WorkQueue } from './queue.ts';

/** The value of one series in the registry's text output, or undefined. */
async function sample(reg: Registry, series: string): Promise<number | undefined> {
  const text = await reg.metrics();
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('work queue metrics', () => {
  it('counts adds, depth, durations and retries per queue name as client-go does', async () => {
    const reg = new Registry();
    let now = 1000;
    const provider = prometheusQueueMetrics(reg, () => now);
    const q = new WorkQueue<string>({ baseMs: 1, maxMs: 1 }, { name: 'replicaset', provider });
    q.add('a');
    q.add('b');
    q.add('a'); // deduplicated: not an add
    assert.equal(await sample(reg, 'workqueue_adds_total{name="replicaset"}'), 2);
    assert.equal(await sample(reg, 'workqueue_depth{name="replicaset"}'), 2);

    now += 500;
    assert.equal(await q.get(), 'a');
    assert.equal(await sample(reg, 'workqueue_depth{name="replicaset"}'), 1);
    assert.equal(await sample(reg, 'workqueue_queue_duration_seconds_count{name="replicaset"}'), 1);
    assert.equal(await sample(reg, 'workqueue_queue_duration_seconds_sum{name="replicaset"}'), 0.5);

    now += 2000;
    assert.equal(await sample(reg, 'workqueue_unfinished_work_seconds{name="replicaset"}'), 2);
    assert.equal(await sample(reg, 'workqueue_longest_running_processor_seconds{name="replicaset"}'), 2);
    assert.equal(await q.get(), 'b');
    now += 1000;
    assert.equal(await sample(reg, 'workqueue_unfinished_work_seconds{name="replicaset"}'), 4);
    assert.equal(await sample(reg, 'workqueue_longest_running_processor_seconds{name="replicaset"}'), 3);

    q.add('a'); // while processing: counted, re-queued on done without a second add
    q.done('a');
    assert.equal(await sample(reg, 'workqueue_work_duration_seconds_count{name="replicaset"}'), 1);
    assert.equal(await sample(reg, 'workqueue_work_duration_seconds_sum{name="replicaset"}'), 3);
    assert.equal(await sample(reg, 'workqueue_adds_total{name="replicaset"}'), 3);
    assert.equal(await sample(reg, 'workqueue_depth{name="replicaset"}'), 1);
    assert.equal(await q.get(), 'a');
    assert.equal(await sample(reg, 'workqueue_depth{name="replicaset"}'), 0);

    q.addRateLimited('c');
    assert.equal(await sample(reg, 'workqueue_retries_total{name="replicaset"}'), 1);
    q.shutDown();
    assert.equal(await sample(reg, 'workqueue_depth{name="replicaset"}'), undefined, 'a shut-down queue stops reporting');
  });

  it('names the queues constructed inside withQueueMetrics, and only those', async () => {
    const reg = new Registry();
    const provider = prometheusQueueMetrics(reg);
    const [q1, q2] = withQueueMetrics(provider, 'deployment', () => [new WorkQueue<string>(), new WorkQueue<string>()]);
    const outside = new WorkQueue<string>();
    q1!.add('x');
    q2!.add('y');
    outside.add('z');
    assert.equal(await sample(reg, 'workqueue_adds_total{name="deployment"}'), 2);
    assert.equal(await sample(reg, 'workqueue_depth{name="deployment"}'), 2, 'queues of one name add up');
    assert.doesNotMatch(await reg.metrics(), /name=""/);
    for (const q of [q1!, q2!, outside]) q.shutDown();
  });

  it('hands a key added while a worker waits straight to it, counted once', async () => {
    const reg = new Registry();
    const q = new WorkQueue<string>(undefined, { name: 'job', provider: prometheusQueueMetrics(reg) });
    const next = q.get();
    q.add('k');
    assert.equal(await next, 'k');
    assert.equal(await sample(reg, 'workqueue_depth{name="job"}'), 0);
    assert.equal(await sample(reg, 'workqueue_queue_duration_seconds_count{name="job"}'), 1);
    q.done('k');
    assert.equal(await sample(reg, 'workqueue_work_duration_seconds_count{name="job"}'), 1);
    q.shutDown();
  });
});
