import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { resolveSimOptions } from './options.ts';
import { podUsage, SimUsage } from './usage.ts';

const pod = (name: string, containers: string[], annotations: Record<string, string> = {}): Pod => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, annotations },
  spec: { containers: containers.map((n) => ({ name: n })) },
  status: { phase: 'Running' },
});

describe('simulated usage', () => {
  it('takes the usage function, then annotations, then the per-container default', () => {
    const opts = resolveSimOptions({ usage: (p) => (p.metadata?.name === 'fn' ? { cpuMillis: 7, memoryBytes: 9 } : undefined) });
    assert.deepEqual(podUsage(pod('fn', ['a']), opts), { cpuMillis: 7, memoryBytes: 9 });
    assert.deepEqual(podUsage(pod('ann', ['a'], { 'sim.skiff.dev/cpu-usage': '250m', 'sim.skiff.dev/memory-usage': '64Mi' }), opts), { cpuMillis: 250, memoryBytes: 64 * 2 ** 20 });
    assert.deepEqual(podUsage(pod('plain', ['a', 'b']), opts), { cpuMillis: 2, memoryBytes: 8 * 2 ** 20 });
  });

  it('integrates cumulative CPU so that its rate is the configured usage', async () => {
    let now = 10_000;
    const pods = [{ pod: pod('p', ['a', 'b'], { 'sim.skiff.dev/cpu-usage': '1' }), startedAt: 4_000 }];
    const u = new SimUsage({
      clock: { now: () => new Date(now), sleep: async () => {} },
      options: () => resolveSimOptions(),
      nodeNames: () => ['n'],
      nodeStartTime: (n) => (n === 'n' ? 1_000 : undefined),
      runningPods: () => pods,
    });
    const first = (await u.usage('n'))!;
    // Half a core per container since start: 6 s × 0.5.
    assert.equal(first.pods[0]!.containers[0]!.cpuUsageNanos, 3e9);
    now = 12_000;
    const second = (await u.usage('n'))!;
    assert.equal(second.pods[0]!.containers[1]!.cpuUsageNanos, 4e9);
    assert.equal(second.cpuUsageNanos - first.cpuUsageNanos, 2e9);
    assert.equal(await u.usage('other'), undefined);
    pods.length = 0;
    assert.deepEqual((await u.usage('n'))!.pods, []);
  });

  it("forgets a gone pod's counters, and only that node's", async () => {
    let now = 10_000;
    const onNode: Record<string, { pod: Pod; startedAt: number }[]> = {
      n1: [{ pod: pod('a', ['c'], { 'sim.skiff.dev/cpu-usage': '1' }), startedAt: 9_000 }],
      n2: [{ pod: pod('b', ['c'], { 'sim.skiff.dev/cpu-usage': '1' }), startedAt: 9_000 }],
    };
    const u = new SimUsage({
      clock: { now: () => new Date(now), sleep: async () => {} },
      options: () => resolveSimOptions(),
      nodeNames: () => ['n1', 'n2'],
      nodeStartTime: () => 1_000,
      runningPods: (n) => onNode[n] ?? [],
    });
    await u.usage('n1');
    await u.usage('n2');
    now = 11_000;
    const a = onNode.n1!.pop()!;
    await u.usage('n1');
    // b's counter kept running while n1 dropped a's: 2 s at one core.
    assert.equal((await u.usage('n2'))!.pods[0]!.containers[0]!.cpuUsageNanos, 2e9);
    // a comes back (same uid) after being forgotten: its counter starts over from its start.
    now = 12_000;
    onNode.n1!.push({ ...a, startedAt: 11_500 });
    assert.equal((await u.usage('n1'))!.pods[0]!.containers[0]!.cpuUsageNanos, 0.5e9);
  });
});
