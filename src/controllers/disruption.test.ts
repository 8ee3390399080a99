import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import type { KubeObject } from '../api/object.ts';
import { computeStatus, liveDisruptedPods, setCondition } from './disruption.ts';
import { scaledValue } from '../machinery/int-or-percent.ts';

const pod = (name: string, ready: boolean, deleting = false) => ({
  metadata: { name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const pdb = (status: Partial<PodDisruptionBudgetStatus> = {}) =>
  ({ metadata: { name: 'b', generation: 2 }, spec: {}, status }) as PodDisruptionBudget & KubeObject;

describe('disruption budget status', () => {
  it('scales percentages as upstream, rounding up', () => {
    assert.equal(scaledValue('50%', 3, true), 2);
    assert.equal(scaledValue('50%', 3, false), 1);
    assert.equal(scaledValue(4, 10, true), 4);
    assert.throws(() => scaledValue('x', 1, true));
  });
  it('counts ready, not-deleting, not-disrupted pods', () => {
    const pods = [pod('a', true), pod('b', true), pod('c', false), pod('d', true, true), pod('e', true)];
    const s = computeStatus(pdb(), pods, { count: 5, desired: 2 }, { e: '2026-01-01T00:00:00Z' }, 0);
    assert.deepEqual([s.currentHealthy, s.desiredHealthy, s.expectedPods, s.disruptionsAllowed, s.observedGeneration], [2, 2, 5, 0, 2]);
    assert.equal(s.conditions![0]!.reason, 'InsufficientPods');
    const ok = computeStatus(pdb(), pods, { count: 5, desired: 1 }, {}, 0);
    assert.equal(ok.disruptionsAllowed, 2);
    assert.deepEqual([ok.conditions![0]!.status, ok.conditions![0]!.reason], ['True', 'SufficientPods']);
    assert.equal(computeStatus(pdb(), pods, { count: 0, desired: 0 }, {}, 0).disruptionsAllowed, 0);
  });
  it('keeps lastTransitionTime while the condition status holds', () => {
    const old = [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', lastTransitionTime: 'then' }];
    assert.equal(setCondition(old, { ...old[0]!, lastTransitionTime: 'now' })[0]!.lastTransitionTime, 'then');
    assert.equal(setCondition(old, { ...old[0]!, status: 'False', lastTransitionTime: 'now' })[0]!.lastTransitionTime, 'now');
  });
  it('drops disrupted-pod entries that lapsed or whose pod is going', () => {
    const at = '2026-01-01T00:00:00Z';
    const t0 = Date.parse(at);
    const b = pdb({ disruptedPods: { a: at, d: at, gone: at } });
    const live = liveDisruptedPods(b, [pod('a', true), pod('d', true, true)], t0 + 1000);
    assert.deepEqual(live.map, { a: at });
    assert.equal(live.recheckMs, 119_000);
    assert.deepEqual(liveDisruptedPods(b, [pod('a', true)], t0 + 121_000).map, {});
  });
});
