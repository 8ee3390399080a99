import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { desiredTaints, sameTaints, unknownConditions } from './health.ts';
import { evictionFor, tolerates } from './tolerations.ts';

const T = '2026-01-01T00:00:00Z';
const node = (ready?: string, extra: Partial<Node['spec']> = {}, conds: { type: string; status: string }[] = []): Node => ({
  metadata: { name: 'n', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { ...extra },
  status: { conditions: [...(ready ? [{ type: 'Ready', status: ready, lastHeartbeatTime: T }] : []), ...conds] },
});

describe('node health', () => {
  it('sets every monitored condition to Unknown, once', () => {
    const c = unknownConditions(node('True'), T)!;
    const ready = c.find((x) => x.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
    assert.equal(ready.lastHeartbeatTime, T, 'the heartbeat is the kubelet’s, not ours');
    const mem = c.find((x) => x.type === 'MemoryPressure')!;
    assert.deepEqual([mem.status, mem.reason, mem.lastHeartbeatTime], ['Unknown', 'NodeStatusNeverUpdated', '2025-01-01T00:00:00Z']);
    assert.equal(unknownConditions({ ...node(), status: { conditions: c } }, T), undefined);
  });
  it('derives taints from conditions, keeping foreign taints and existing timeAdded', () => {
    const foreign = { key: 'example.com/x', effect: 'NoSchedule' };
    const unreachable = desiredTaints(node('Unknown', { taints: [foreign] }), T);
    assert.deepEqual(unreachable, [
      foreign,
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: T },
    ]);
    const again = desiredTaints(node('Unknown', { taints: unreachable }), '2030-01-01T00:00:00Z');
    assert.equal(again[2]!.timeAdded, T);
    assert.deepEqual(desiredTaints(node('False'), T).map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']);
    assert.deepEqual(desiredTaints(node('True', { taints: unreachable }), T), [foreign]);
    assert.deepEqual(
      desiredTaints(node('True', { unschedulable: true }, [{ type: 'DiskPressure', status: 'True' }]), T).map((t) => t.key),
      ['node.kubernetes.io/disk-pressure', 'node.kubernetes.io/unschedulable'],
    );
    assert.ok(sameTaints(unreachable, [...unreachable].reverse()));
    assert.ok(!sameTaints(unreachable, [foreign]));
  });
});

describe('NoExecute tolerations', () => {
  const taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  it('matches upstream ToleratesTaint', () => {
    assert.ok(tolerates({ operator: 'Exists' }, taint));
    assert.ok(tolerates({ key: taint.key, operator: 'Exists', effect: 'NoExecute' }, taint));
    assert.ok(!tolerates({ key: taint.key, operator: 'Exists', effect: 'NoSchedule' }, taint));
    assert.ok(tolerates({ key: 'k', value: 'v' }, { key: 'k', value: 'v', effect: 'NoExecute' }));
    assert.ok(!tolerates({ key: 'k', value: 'w' }, { key: 'k', value: 'v', effect: 'NoExecute' }));
  });
  it('evicts now, later, or never', () => {
    assert.deepEqual(evictionFor([taint], []), { type: 'now' });
    assert.deepEqual(evictionFor([taint], [{ key: taint.key, operator: 'Exists', tolerationSeconds: 5 }]), { type: 'after', ms: 5000 });
    assert.deepEqual(evictionFor([taint], [{ key: taint.key, operator: 'Exists' }]), { type: 'never' });
    assert.deepEqual(evictionFor([taint], [{ key: taint.key, operator: 'Exists', tolerationSeconds: 0 }]), { type: 'now' });
    assert.deepEqual(evictionFor([{ key: 'x', effect: 'NoSchedule' }], []), { type: 'never' });
    const two = [taint, { key: 'other', effect: 'NoExecute' }];
    assert.deepEqual(evictionFor(two, [{ key: taint.key, operator: 'Exists', tolerationSeconds: 9 }]), { type: 'now' });
    assert.deepEqual(
      evictionFor(two, [
        { key: taint.key, operator: 'Exists', tolerationSeconds: 9 },
        { key: 'other', operator: 'Exists', tolerationSeconds: 3 },
      ]),
      { type: 'after', ms: 3000 },
    );
  });
});
