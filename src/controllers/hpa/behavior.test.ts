import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HorizontalPodAutoscalerBehavior } from 'kubernetes-types/autoscaling/v2.js';
import { ScalingHistory } from './behavior.ts';

const t0 = Date.parse('2026-01-01T12:00:00Z');
const s = (n: number) => t0 + n * 1000;
const base = { key: 'default/web', minReplicas: 1, maxReplicas: 10 };

test('legacy: scale-down is held at the highest recommendation in the window', () => {
  const h = new ScalingHistory(300_000);
  h.recordInitial(base.key, 5, s(0));
  let n = h.normalize({ ...base, current: 5, desired: 2, nowMs: s(15) });
  assert.equal(n.replicas, 5);
  assert.deepEqual([n.ableToScale.reason, n.scalingLimited.status, n.scalingLimited.reason], ['ScaleDownStabilized', 'False', 'DesiredWithinRange']);
  n = h.normalize({ ...base, current: 5, desired: 2, nowMs: s(299) });
  assert.equal(n.replicas, 5);
  // past the window, only recommendations of 2 remain (the initial 5 aged out)
  n = h.normalize({ ...base, current: 5, desired: 2, nowMs: s(301) });
  assert.equal(n.replicas, 2);
  assert.equal(n.ableToScale.reason, 'ReadyForNewScale');
});

test('legacy: a shortened downscale window lets scale-down through quickly', () => {
  const h = new ScalingHistory(1000);
  h.recordInitial(base.key, 4, s(0));
  assert.equal(h.normalize({ ...base, current: 4, desired: 1, nowMs: s(2) }).replicas, 1);
});

test('legacy: scale-up is limited to max(2×current, 4) and clamped to min/max', () => {
  const h = new ScalingHistory(0);
  let n = h.normalize({ ...base, maxReplicas: 100, current: 3, desired: 50, nowMs: s(1) });
  assert.deepEqual([n.replicas, n.scalingLimited.status, n.scalingLimited.reason], [6, 'True', 'ScaleUpLimit']);
  n = h.normalize({ ...base, maxReplicas: 5, current: 3, desired: 50, nowMs: s(2) });
  assert.deepEqual([n.replicas, n.scalingLimited.reason, n.scalingLimited.message], [5, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count']);
  n = h.normalize({ ...base, minReplicas: 2, current: 3, desired: 1, nowMs: s(3) });
  assert.deepEqual([n.replicas, n.scalingLimited.status, n.scalingLimited.reason], [2, 'True', 'TooFewReplicas']);
});

const defaults: HorizontalPodAutoscalerBehavior = {
  scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
  scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
};

test('behavior defaults: scale up by max(4 pods, 100%) per 15 s, counting changes within the period', () => {
  const h = new ScalingHistory(300_000);
  h.recordInitial(base.key, 1, s(0));
  let n = h.normalize({ ...base, maxReplicas: 100, current: 1, desired: 20, behavior: defaults, nowMs: s(1) });
  assert.deepEqual([n.replicas, n.scalingLimited.reason], [5, 'ScaleUpLimit']);
  h.recordScale(base.key, defaults, 1, 5, s(1));
  // 5 s later the period still starts at 1 replica: no more room
  n = h.normalize({ ...base, maxReplicas: 100, current: 5, desired: 20, behavior: defaults, nowMs: s(6) });
  assert.equal(n.replicas, 5);
  // after the period: from 5, max(5+4, 10) = 10
  n = h.normalize({ ...base, maxReplicas: 100, current: 5, desired: 20, behavior: defaults, nowMs: s(17) });
  assert.equal(n.replicas, 10);
});

test('behavior: selectPolicy Min picks the smaller change and Disabled stops that direction', () => {
  const h = new ScalingHistory(0);
  const min: HorizontalPodAutoscalerBehavior = { ...defaults, scaleUp: { ...defaults.scaleUp, selectPolicy: 'Min' } };
  assert.equal(h.normalize({ ...base, maxReplicas: 100, current: 10, desired: 50, behavior: min, nowMs: s(1) }).replicas, 14);
  const off: HorizontalPodAutoscalerBehavior = { ...defaults, scaleDown: { ...defaults.scaleDown, stabilizationWindowSeconds: 0, selectPolicy: 'Disabled' } };
  const n = h.normalize({ key: 'other', minReplicas: 1, maxReplicas: 100, current: 10, desired: 2, behavior: off, nowMs: s(2) });
  assert.deepEqual([n.replicas, n.scalingLimited.status, n.scalingLimited.reason], [10, 'True', 'ScaleDownLimit']);
});

test('behavior: scale-down policies (Pods per period) and stabilization windows', () => {
  const h = new ScalingHistory(300_000);
  const b: HorizontalPodAutoscalerBehavior = {
    scaleUp: { ...defaults.scaleUp, stabilizationWindowSeconds: 60 },
    scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
  };
  let n = h.normalize({ ...base, current: 8, desired: 1, behavior: b, nowMs: s(1) });
  assert.deepEqual([n.replicas, n.scalingLimited.reason, n.scalingLimited.message], [6, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']);
  h.recordScale(base.key, b, 8, 6, s(1));
  assert.equal(h.normalize({ ...base, current: 6, desired: 1, behavior: b, nowMs: s(30) }).replicas, 6);
  assert.equal(h.normalize({ ...base, current: 6, desired: 1, behavior: b, nowMs: s(62) }).replicas, 4);
  // scale-up window 60 s: a recent lower recommendation (1) holds a scale-up at current
  n = h.normalize({ ...base, current: 4, desired: 9, behavior: b, nowMs: s(70) });
  assert.deepEqual([n.replicas, n.ableToScale.reason], [4, 'ScaleUpStabilized']);
});

test('behavior: an unset scaleDown window falls back to the controller option', () => {
  const h = new ScalingHistory(10_000);
  const b: HorizontalPodAutoscalerBehavior = { scaleUp: defaults.scaleUp, scaleDown: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } };
  h.recordInitial(base.key, 4, s(0));
  assert.equal(h.normalize({ ...base, current: 4, desired: 1, behavior: b, nowMs: s(5) }).replicas, 4);
  assert.equal(h.normalize({ ...base, current: 4, desired: 1, behavior: b, nowMs: s(11) }).replicas, 1);
});
