import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HorizontalPodAutoscaler, MetricSpec } from 'kubernetes-types/autoscaling/v2.js';
import { computeReplicasForMetrics, type MetricsInput } from './compute.ts';
import { setCondition } from './conditions.ts';
import { getResourceMetric, parseDurationMs, type MetricsSource, type PodMetrics } from './metrics.ts';
import { defaultCalculatorOptions, type PodObject } from './replica-calculator.ts';

const now = Date.parse('2026-01-01T12:00:00Z');
const old = new Date(now - 3_600_000).toISOString();

const pod = (name: string, requests: Record<string, string>): PodObject => ({
  metadata: { name, namespace: 'default', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'x', resources: { requests } }] },
  status: { phase: 'Running', startTime: old, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: old }] },
});

class FakeSource implements MetricsSource {
  calls: [string, string][] = [];
  constructor(private readonly usage: Record<string, Record<string, string>>) {}
  async listPodMetrics(namespace: string, selector: string): Promise<PodMetrics[]> {
    this.calls.push([namespace, selector]);
    return Object.entries(this.usage).map(([name, usage]) => ({
      metadata: { name, namespace },
      timestamp: new Date(now - 5000).toISOString(),
      window: '30s',
      containers: [{ name: 'c', usage }],
    }));
  }
}

const cpu50: MetricSpec = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } };
const mem64: MetricSpec = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '64Mi' } } };

function input(metrics: MetricSpec[], source: MetricsSource, pods: PodObject[], specReplicas = 2): MetricsInput & { events: string[] } {
  const events: string[] = [];
  const hpa: HorizontalPodAutoscaler = { metadata: { name: 'web', namespace: 'default' }, spec: { maxReplicas: 10, scaleTargetRef: { kind: 'Deployment', name: 'web' }, metrics } };
  return { hpa, specReplicas, selector: 'app=web', pods, source, opts: defaultCalculatorOptions, nowMs: now, warn: (r, m) => events.push(`${r}: ${m}`), events };
}

test('a cpu utilization metric gives a proposal, currentMetrics and ValidMetricFound', async () => {
  const src = new FakeSource({ a: { cpu: '100m' }, b: { cpu: '100000000n' } });
  const inp = input([cpu50], src, [pod('a', { cpu: '100m' }), pod('b', { cpu: '100m' })]);
  const out = await computeReplicasForMetrics(inp);
  assert.equal(out.replicas, 4);
  assert.equal(out.metricName, 'cpu resource utilization (percentage of request)');
  assert.deepEqual(out.statuses, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 100, averageValue: '100m' } } }]);
  assert.deepEqual(out.scalingActive, {
    status: 'True',
    reason: 'ValidMetricFound',
    message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
  });
  assert.deepEqual(src.calls, [['default', 'app=web']]);
  assert.deepEqual(inp.events, []);
});

test('multiple metrics: the largest proposal wins', async () => {
  const src = new FakeSource({ a: { cpu: '60m', memory: '200Mi' }, b: { cpu: '60m', memory: '200Mi' } });
  const out = await computeReplicasForMetrics(input([cpu50, mem64], src, [pod('a', { cpu: '100m' }), pod('b', { cpu: '100m' })]));
  assert.equal(out.replicas, 7); // memory: 200/64 = 3.125 × 2 → 7; cpu: 60/50 → 3
  assert.equal(out.metricName, 'memory resource');
  assert.deepEqual(out.statuses[1], { type: 'Resource', resource: { name: 'memory', current: { averageValue: '209715200' } } });
});

test('pods without requests fail the metric with FailedGetResourceMetric', async () => {
  const inp = input([cpu50], new FakeSource({ a: { cpu: '10m' } }), [pod('a', {})]);
  const out = await computeReplicasForMetrics(inp);
  assert.equal(out.replicas, -1);
  assert.equal(out.scalingActive.status, 'False');
  assert.equal(out.scalingActive.reason, 'FailedGetResourceMetric');
  assert.equal(out.scalingActive.message, 'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container c of Pod a');
  assert.deepEqual(inp.events, ['FailedGetResourceMetric: failed to get cpu utilization: missing request for cpu in container c of Pod a']);
  assert.equal(out.error, 'invalid metrics (1 invalid out of 1), first error is: failed to get cpu utilization: missing request for cpu in container c of Pod a');
  assert.deepEqual(out.statuses, [{ type: '' }]);
});

test('Pods/Object/External metrics fail with their own reasons; a valid scale-up still goes ahead', async () => {
  const pods: MetricSpec = { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } };
  const ext: MetricSpec = { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '10' } } };
  const src = new FakeSource({ a: { cpu: '100m' } });
  let out = await computeReplicasForMetrics(input([pods], src, [pod('a', { cpu: '100m' })], 1));
  assert.deepEqual([out.replicas, out.scalingActive.reason], [-1, 'FailedGetPodsMetric']);
  out = await computeReplicasForMetrics(input([ext], src, [pod('a', { cpu: '100m' })], 1));
  assert.deepEqual([out.replicas, out.scalingActive.reason], [-1, 'FailedGetExternalMetric']);
  const inp = input([pods, cpu50], src, [pod('a', { cpu: '100m' })], 1);
  out = await computeReplicasForMetrics(inp);
  assert.deepEqual([out.replicas, out.scalingActive.reason], [2, 'ValidMetricFound']);
  assert.match(out.error ?? '', /^invalid metrics \(1 invalid out of 2\)/);
  assert.equal(inp.events.length, 1);
  // ... but a scale-down with an invalid metric is refused
  const low = new FakeSource({ a: { cpu: '1m' }, b: { cpu: '1m' } });
  out = await computeReplicasForMetrics(input([pods, cpu50], low, [pod('a', { cpu: '100m' }), pod('b', { cpu: '100m' })], 2));
  assert.deepEqual([out.replicas, out.scalingActive.reason], [-1, 'FailedGetPodsMetric']);
});

test('an empty metrics answer is an error', async () => {
  const out = await computeReplicasForMetrics(input([cpu50], new FakeSource({}), [pod('a', { cpu: '100m' })]));
  assert.match(out.scalingActive.message, /failed to get cpu utilization: no metrics returned from resource metrics API/);
});

test('getResourceMetric sums containers, or reads one container, and skips pods lacking the resource', async () => {
  const src: MetricsSource = {
    listPodMetrics: async () => [
      { metadata: { name: 'a' }, timestamp: new Date(now).toISOString(), window: '1m0s', containers: [{ name: 'x', usage: { cpu: '100m' } }, { name: 'y', usage: { cpu: '50m' } }] },
      { metadata: { name: 'b' }, timestamp: new Date(now).toISOString(), window: '30s', containers: [{ name: 'x', usage: { memory: '1Mi' } }] },
    ],
  };
  const all = await getResourceMetric(src, 'cpu', 'default', '');
  assert.deepEqual([...all.metrics.entries()], [['a', { value: 150, timestampMs: now, windowMs: 60_000 }]]);
  const one = await getResourceMetric(src, 'cpu', 'default', '', 'y');
  assert.equal(one.metrics.get('a')?.value, 50);
  assert.equal(parseDurationMs('1m30.5s'), 90_500);
});

test('setCondition keeps lastTransitionTime unless the status flips', () => {
  const t1 = new Date('2026-01-01T00:00:00Z');
  const t2 = new Date('2026-01-01T00:05:00Z');
  let list = setCondition([], 'AbleToScale', 'True', 'SucceededGetScale', 'm1', t1);
  list = setCondition(list, 'ScalingActive', 'True', 'ValidMetricFound', 'm2', t1);
  list = setCondition(list, 'AbleToScale', 'True', 'ReadyForNewScale', 'm3', t2);
  assert.deepEqual(list[0], { type: 'AbleToScale', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'ReadyForNewScale', message: 'm3' });
  list = setCondition(list, 'AbleToScale', 'False', 'FailedGetScale', 'm4', t2);
  assert.equal(list[0]?.lastTransitionTime, '2026-01-01T00:05:00Z');
  assert.deepEqual(list.map((c) => c.type), ['AbleToScale', 'ScalingActive']);
});
