import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeHash, equalIgnoreHash, safeEncode, templateWithHash } from './pod-template-hash.ts';
import { maxSurge, maxUnavailable, newRSNewReplicas, proportion, resolveFenceposts } from './replicas.ts';
import { revisionHistoryAnnotation, revisionAnnotation, setNewReplicaSetAnnotations } from './revision.ts';
import { newCondition, setCondition, deploymentTimedOut } from './status.ts';
import type { D, RS, Status } from './types.ts';

const dep = (replicas: number, surge: number | string, unavailable: number | string): D =>
  ({ metadata: { name: 'web' }, spec: { replicas, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } } }) as D;
const rs = (replicas: number, annotations: Record<string, string> = {}): RS => ({ metadata: { name: `rs${replicas}`, annotations }, spec: { replicas, selector: {} } }) as RS;

describe('surge and unavailable', () => {
  it('surge rounds up, unavailable rounds down', () => {
    assert.deepEqual(resolveFenceposts('25%', '25%', 10), [3, 2]);
    assert.deepEqual(resolveFenceposts('25%', '25%', 4), [1, 1]);
    assert.deepEqual(resolveFenceposts(2, '50%', 3), [2, 1]);
  });
  it('both zero means one unavailable', () => assert.deepEqual(resolveFenceposts('0%', 0, 10), [0, 1]));
  it('maxUnavailable is capped at replicas and 0 for Recreate', () => {
    assert.equal(maxUnavailable(dep(2, 0, 5)), 2);
    assert.equal(maxSurge({ ...dep(4, 1, 1), spec: { ...dep(4, 1, 1).spec!, strategy: { type: 'Recreate' } } } as D), 0);
  });
  it('the new ReplicaSet grows up to replicas + surge in total', () => {
    const d = dep(10, '30%', 0); // surge 3
    const newRS = rs(0);
    assert.equal(newRSNewReplicas(d, [rs(10), newRS], newRS), 3);
    assert.equal(newRSNewReplicas(d, [rs(12), newRS], newRS), 1);
    assert.equal(newRSNewReplicas(d, [rs(13), newRS], newRS), 0);
  });
  it('proportional scaling shares by the max-replicas annotation', () => {
    const d = dep(20, 0, 1); // scaled from 10 to 20, surge 0
    const a = rs(6, { 'deployment.kubernetes.io/max-replicas': '10' });
    assert.equal(proportion(a, d, 10, 0), 6); // 6 * 20/10 - 6
    assert.equal(proportion(a, d, 10, 8), 2); // bounded by what is left
  });
});

describe('pod-template-hash', () => {
  const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  it('is stable, key-order independent and in the safe alphabet', () => {
    const h = computeHash(t);
    assert.equal(h, computeHash(JSON.parse(JSON.stringify({ spec: t.spec, metadata: t.metadata }))));
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.notEqual(h, computeHash({ ...t, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }));
  });
  it('changes with the collision count', () => assert.notEqual(computeHash(t, 1), computeHash(t, 2)));
  it('safeEncode maps digits like upstream', () => assert.equal(safeEncode('0123456789'), '456789bcdf'));
  it('equalIgnoreHash ignores only the hash label', () => {
    assert.ok(equalIgnoreHash(templateWithHash(t, 'abc'), t));
    assert.ok(!equalIgnoreHash(templateWithHash({ ...t, metadata: { labels: { app: 'x' } } }, 'abc'), t));
  });
});

describe('revisions', () => {
  it('a reused ReplicaSet keeps its old revisions in revision-history', () => {
    const d = dep(1, 1, 0);
    const set = rs(0, { [revisionAnnotation]: '1' });
    assert.ok(setNewReplicaSetAnnotations(d, set, 3, true, 1));
    assert.equal(set.metadata?.annotations?.[revisionAnnotation], '3');
    assert.equal(set.metadata?.annotations?.[revisionHistoryAnnotation], '1');
    setNewReplicaSetAnnotations(d, set, 5, true, 1);
    assert.equal(set.metadata?.annotations?.[revisionHistoryAnnotation], '1,3');
  });
  it('a new ReplicaSet gets the replicas annotations', () => {
    const set = rs(0);
    setNewReplicaSetAnnotations(dep(4, '25%', '25%'), set, 1, false, 1);
    assert.equal(set.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '4');
    assert.equal(set.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '5');
  });
});

describe('conditions', () => {
  const t0 = new Date('2025-01-01T00:00:00Z');
  const t1 = new Date('2025-01-01T00:05:00Z');
  it('keeps lastTransitionTime when only the reason changes', () => {
    const s: Status = {};
    setCondition(s, newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'x', t0));
    setCondition(s, newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'y', t1));
    assert.equal(s.conditions?.[0]?.lastTransitionTime, '2025-01-01T00:00:00Z');
    assert.equal(s.conditions?.[0]?.lastUpdateTime, '2025-01-01T00:05:00Z');
  });
  it('times out after progressDeadlineSeconds without progress', () => {
    const d = { ...dep(1, 1, 0), spec: { ...dep(1, 1, 0).spec!, progressDeadlineSeconds: 60 } } as D;
    const s: Status = { conditions: [newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'x', t0)] };
    assert.equal(deploymentTimedOut(d, s, new Date(t0.getTime() + 30_000)), false);
    assert.equal(deploymentTimedOut(d, s, new Date(t0.getTime() + 61_000)), true);
  });
});
