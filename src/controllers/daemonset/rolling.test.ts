import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { daemonCounts, planManage, podsByNode } from './manage.ts';
import { revisionHashLabel, type P } from './pods.ts';
import { planRollingUpdate } from './rolling.ts';
import { scaledValue } from '../../machinery/int-or-percent.ts';
import { pinToNode } from './should-run.ts';

const now = new Date('2026-01-01T00:10:00Z');
const node = (name: string, taints: Taint[] = []): Node & KubeObject => ({ metadata: { name }, spec: { taints } });
const ds = (rollingUpdate: { maxUnavailable?: number | string; maxSurge?: number | string } = { maxUnavailable: 1, maxSurge: 0 }): DaemonSet & KubeObject => ({
  metadata: { name: 'd', namespace: 'default', generation: 2 },
  spec: {
    selector: { matchLabels: { a: 'b' } },
    template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }] } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate },
  },
});
let seq = 0;
function pod(nodeName: string, hash: string, o: { ready?: boolean; phase?: string; bound?: boolean; deleting?: boolean; created?: string } = {}): P {
  const ready = o.ready ?? true;
  return {
    metadata: {
      name: `p${++seq}`,
      namespace: 'default',
      labels: { a: 'b', [revisionHashLabel]: hash },
      creationTimestamp: o.created ?? `2026-01-01T00:00:${String(seq).padStart(2, '0')}Z`,
      deletionTimestamp: o.deleting ? '2026-01-01T00:09:00Z' : undefined,
    },
    spec: { containers: [], nodeName: o.bound === false ? undefined : nodeName, affinity: pinToNode(undefined, nodeName) },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:01:00Z' }] },
  };
}
const names = (ps: P[]) => ps.map((p) => p.metadata!.name!);

describe('daemon manage plan', () => {
  it('creates where missing, prunes extras, replaces finished pods, leaves terminating ones', () => {
    const extraOld = pod('n2', 'h1');
    const extraNew = pod('n2', 'h1');
    const failed = pod('n3', 'h1', { phase: 'Failed' });
    const dying = pod('n4', 'h1', { deleting: true });
    const nodes = [node('n1'), node('n2'), node('n3'), node('n4')];
    const plan = planManage(ds(), nodes, podsByNode([extraOld, extraNew, failed, dying]), 'h1', now, () => true);
    assert.deepEqual(plan.nodesNeedingPods, ['n1']);
    assert.deepEqual(plan.podsToDelete.sort(), names([extraNew, failed]).sort());
    assert.deepEqual(plan.failed.map((f) => f.node), ['n3']);
    // The failed-pod backoff holds the deletion back.
    assert.deepEqual(planManage(ds(), nodes, podsByNode([failed]), 'h1', now, () => false).podsToDelete, []);
  });

  it('deletes pods on nodes that may not keep them and unscheduled pods of vanished nodes', () => {
    const evicted = pod('n1', 'h1');
    const orphan = pod('gone', 'h1', { bound: false });
    const plan = planManage(ds(), [node('n1', [{ key: 'k', effect: 'NoExecute' }])], podsByNode([evicted, orphan]), 'h1', now, () => true);
    assert.deepEqual(plan.podsToDelete.sort(), names([evicted, orphan]).sort());
    assert.deepEqual(plan.nodesNeedingPods, []);
  });

  it('counts status per node from its oldest pod', () => {
    const nodes = [node('n1'), node('n2'), node('n3'), node('n4', [{ key: 'k', effect: 'NoSchedule' }])];
    const pods = [pod('n1', 'h2'), pod('n2', 'h1', { ready: false }), pod('n4', 'h1')];
    assert.deepEqual(daemonCounts(ds(), nodes, podsByNode(pods), 'h2', undefined, now), {
      desiredNumberScheduled: 3,
      currentNumberScheduled: 2,
      numberMisscheduled: 1,
      numberReady: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      numberUnavailable: 2,
    });
  });
});

describe('daemon rolling update plan', () => {
  it('scales int-or-percent values', () => {
    assert.equal(scaledValue('25%', 10, true), 3);
    assert.equal(scaledValue('25%', 10, false), 2);
    assert.equal(scaledValue(2, 10, true), 2);
  });

  it('maxUnavailable=1 deletes one old pod at a time', () => {
    const nodes = [node('n1'), node('n2'), node('n3')];
    const old = [pod('n1', 'old'), pod('n2', 'old'), pod('n3', 'old')];
    const plan = planRollingUpdate(ds(), nodes, podsByNode(old), 'new', undefined, now);
    assert.equal(plan.podsToDelete.length, 1);
    assert.deepEqual(plan.nodesNeedingPods, []);
    // While the replacement is not yet available, nothing more goes.
    const mid = [pod('n1', 'new', { ready: false }), pod('n2', 'old'), pod('n3', 'old')];
    assert.deepEqual(planRollingUpdate(ds(), nodes, podsByNode(mid), 'new', undefined, now).podsToDelete, []);
    // Once it is available, the next one goes.
    const next = [pod('n1', 'new'), pod('n2', 'old'), pod('n3', 'old')];
    assert.equal(planRollingUpdate(ds(), nodes, podsByNode(next), 'new', undefined, now).podsToDelete.length, 1);
  });

  it('replaces unavailable old pods whatever the budget', () => {
    const nodes = [node('n1'), node('n2')];
    const pods = [pod('n1', 'new', { ready: false }), pod('n2', 'old', { ready: false })];
    assert.deepEqual(planRollingUpdate(ds(), nodes, podsByNode(pods), 'new', undefined, now).podsToDelete, names([pods[1]!]));
  });

  it('a percentage maxUnavailable scales with the nodes', () => {
    const nodes = ['n1', 'n2', 'n3', 'n4'].map((n) => node(n));
    const pods = nodes.map((n) => pod(n.metadata!.name!, 'old'));
    assert.equal(planRollingUpdate(ds({ maxUnavailable: '50%', maxSurge: 0 }), nodes, podsByNode(pods), 'new', undefined, now).podsToDelete.length, 2);
  });

  it('maxSurge starts new pods beside old ones and deletes the old once the new are available', () => {
    const surge = ds({ maxUnavailable: 0, maxSurge: 1 });
    const nodes = [node('n1'), node('n2'), node('n3')];
    const start = planRollingUpdate(surge, nodes, podsByNode([pod('n1', 'old'), pod('n2', 'old'), pod('n3', 'old')]), 'new', undefined, now);
    assert.equal(start.nodesNeedingPods.length, 1);
    assert.deepEqual(start.podsToDelete, []);
    const surging = [pod('n1', 'old'), pod('n1', 'new', { ready: false }), pod('n2', 'old'), pod('n3', 'old')];
    const wait = planRollingUpdate(surge, nodes, podsByNode(surging), 'new', undefined, now);
    assert.deepEqual(wait, { podsToDelete: [], nodesNeedingPods: [] }, 'the surge budget is spent while n1 is not available');
    const n1Old = pod('n1', 'old');
    const done = planRollingUpdate(surge, nodes, podsByNode([n1Old, pod('n1', 'new'), pod('n2', 'old'), pod('n3', 'old')]), 'new', undefined, now);
    assert.deepEqual(done.podsToDelete, names([n1Old]));
    assert.equal(done.nodesNeedingPods.length, 1);
  });
});
