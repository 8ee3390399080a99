import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodMetricsInfo } from './metrics.ts';
import { defaultCalculatorOptions as opts, groupPods, podRequests, rawResourceReplicas, resourceReplicas, type PodObject } from './replica-calculator.ts';

const now = Date.parse('2026-01-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function pod(name: string, o: { cpu?: string; mem?: string; phase?: string; ready?: 'True' | 'False' | null; startAgoMs?: number; readyAgoMs?: number; deleting?: boolean } = {}): PodObject {
  const requests: Record<string, string> = {};
  if (o.cpu !== undefined) requests.cpu = o.cpu;
  if (o.mem !== undefined) requests.memory = o.mem;
  const ready = o.ready === undefined ? 'True' : o.ready;
  return {
    metadata: { name, namespace: 'default', ...(o.deleting ? { deletionTimestamp: iso(now) } : {}) },
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests } }] },
    status: {
      phase: o.phase ?? 'Running',
      startTime: iso(now - (o.startAgoMs ?? 3_600_000)),
      conditions: ready === null ? [] : [{ type: 'Ready', status: ready, lastTransitionTime: iso(now - (o.readyAgoMs ?? 3_000_000)) }],
    },
  };
}

const metrics = (vals: Record<string, number>, tsAgoMs = 10_000): PodMetricsInfo =>
  new Map(Object.entries(vals).map(([k, v]) => [k, { value: v, timestampMs: now - tsAgoMs, windowMs: 30_000 }]));

test('utilization: scales up proportionally to usage over target', () => {
  const pods = [pod('a', { cpu: '100m' }), pod('b', { cpu: '100m' })];
  const r = resourceReplicas(2, 50, 'cpu', pods, metrics({ a: 100, b: 100 }), opts, now);
  assert.deepEqual(r, { replicas: 4, utilization: 100, rawAverage: 100 });
});

test('utilization: within tolerance keeps the current count', () => {
  const pods = [pod('a', { cpu: '100m' }), pod('b', { cpu: '100m' })];
  assert.equal(resourceReplicas(2, 50, 'cpu', pods, metrics({ a: 54, b: 54 }), opts, now).replicas, 2);
  assert.equal(resourceReplicas(2, 50, 'cpu', pods, metrics({ a: 56, b: 56 }), opts, now).replicas, 3);
  // a looser tolerance swallows the same change
  assert.equal(resourceReplicas(2, 50, 'cpu', pods, metrics({ a: 56, b: 56 }), { ...opts, tolerance: 0.2 }, now).replicas, 2);
});

test('utilization: scales down', () => {
  const pods = ['a', 'b', 'c', 'd'].map((n) => pod(n, { cpu: '200m' }));
  assert.equal(resourceReplicas(4, 50, 'cpu', pods, metrics({ a: 20, b: 20, c: 20, d: 20 }), opts, now).replicas, 1);
});

test('missing pods count as 0 on scale up and as 100% on scale down', () => {
  const pods = [pod('a', { cpu: '100m' }), pod('b', { cpu: '100m' }), pod('c', { cpu: '100m' })];
  // scale up: a and b at 100% of 50%-target → ratio 2; c (no metric) counts 0 → ratio (200/300*100=66)/50=1.32 → ceil(3*1.32)=4
  assert.equal(resourceReplicas(3, 50, 'cpu', pods, metrics({ a: 100, b: 100 }), opts, now).replicas, 4);
  // scale down: a, b at 10%; c assumed 100% → (10+10+100)/300=40% of 50 → 0.8 → ceil(2.4)=3 == current
  assert.equal(resourceReplicas(3, 50, 'cpu', pods, metrics({ a: 10, b: 10 }), opts, now).replicas, 3);
  // without the missing pod the same usage would scale down to 1
  assert.equal(resourceReplicas(2, 50, 'cpu', pods.slice(0, 2), metrics({ a: 10, b: 10 }), opts, now).replicas, 1);
});

test('deleted and Failed pods are ignored; Pending pods are unready and count 0 on scale up', () => {
  const pods = [pod('a', { cpu: '100m' }), pod('gone', { cpu: '100m', deleting: true }), pod('dead', { cpu: '100m', phase: 'Failed' }), pod('p', { cpu: '100m', phase: 'Pending' })];
  const g = groupPods(pods, metrics({ a: 100, gone: 100, dead: 100 }), 'cpu', opts, now);
  assert.deepEqual([g.readyPodCount, [...g.ignored].sort(), [...g.unready]], [1, ['dead', 'gone'], ['p']]);
  // a at 100% (ratio 2); p counted as 0 → (100+0)/200 = 50% → ratio 1 → no change
  assert.equal(resourceReplicas(2, 50, 'cpu', pods, metrics({ a: 100, gone: 900, dead: 900 }), opts, now).replicas, 2);
});

test('CPU: pods still initialising are excluded until a full window after readiness', () => {
  const young = pod('y', { cpu: '100m', startAgoMs: 60_000, readyAgoMs: 20_000 }); // sample predates ready + window
  const settled = pod('s', { cpu: '100m', startAgoMs: 60_000, readyAgoMs: 50_000 });
  const g = groupPods([young, settled], metrics({ y: 100, s: 100 }), 'cpu', opts, now);
  assert.deepEqual([...g.unready], ['y']);
  assert.equal(g.readyPodCount, 1);
  // the same pods are fine for memory: readiness only matters for CPU
  assert.equal(groupPods([young, settled], metrics({ y: 100, s: 100 }), 'memory', opts, now).readyPodCount, 2);
  // a shortened initialisation period treats them as settled
  assert.equal(groupPods([young], metrics({ y: 100 }), 'cpu', { ...opts, cpuInitializationPeriodMs: 1000 }, now).readyPodCount, 1);
});

test('CPU: a pod that never became ready after start is unready; one that flipped unready later is not', () => {
  const never = pod('n', { cpu: '100m', ready: 'False', startAgoMs: 600_000, readyAgoMs: 590_000 });
  const later = pod('l', { cpu: '100m', ready: 'False', startAgoMs: 600_000, readyAgoMs: 60_000 });
  const noCond = pod('x', { cpu: '100m', ready: null });
  const g = groupPods([never, later, noCond], metrics({ n: 1, l: 1, x: 1 }), 'cpu', opts, now);
  assert.deepEqual([...g.unready].sort(), ['n', 'x']);
});

test('unready pods block a scale-up that their zero usage would undo', () => {
  const pods = [pod('a', { cpu: '100m' }), pod('u', { cpu: '100m', ready: 'False', startAgoMs: 10_000, readyAgoMs: 5_000 })];
  // a at 60% of 50 → 1.2; with u at 0 → 30% → ratio 0.6 → direction flips → keep 2
  assert.equal(resourceReplicas(2, 50, 'cpu', pods, metrics({ a: 60, u: 90 }), opts, now).replicas, 2);
});

test('missing requests are an error naming the container and pod', () => {
  assert.throws(() => podRequests([pod('a')], 'cpu'), /missing request for cpu in container c of Pod a/);
  assert.throws(() => resourceReplicas(1, 50, 'cpu', [pod('a')], metrics({ a: 1 }), opts, now), /missing request for cpu/);
});

test('no pods / no usable metrics are errors as upstream', () => {
  assert.throws(() => resourceReplicas(1, 50, 'cpu', [], metrics({}), opts, now), /no pods returned by selector/);
  assert.throws(() => resourceReplicas(1, 50, 'cpu', [pod('a', { cpu: '1', phase: 'Pending' })], metrics({ a: 1 }), opts, now), /did not receive metrics for targeted pods/);
});

test('average value: memory against a per-pod target', () => {
  const mi = 1024 * 1024 * 1000; // 1Mi in milli-units
  const pods = [pod('a', { mem: '64Mi' }), pod('b', { mem: '64Mi' })];
  const r = rawResourceReplicas(2, 64 * mi, 'memory', pods, metrics({ a: 128 * mi, b: 128 * mi }), opts, now);
  assert.deepEqual(r, { replicas: 4, usage: 128 * mi });
  assert.equal(rawResourceReplicas(2, 64 * mi, 'memory', pods, metrics({ a: 10 * mi, b: 10 * mi }), opts, now).replicas, 1);
  // a missing pod counts as the target on scale down: (10+10+64)/3 = 28Mi → ratio 0.4375 → ceil(3×0.4375) = 2
  const three = [...pods, pod('c', { mem: '64Mi' })];
  assert.equal(rawResourceReplicas(3, 64 * mi, 'memory', three, metrics({ a: 10 * mi, b: 10 * mi }), opts, now).replicas, 2);
});
