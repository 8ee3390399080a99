import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.ts';
import { blockingDependents, classifyOwners, decide, withoutOwners } from './classify.ts';
import { collectableResources, resolveOwnerKind } from './resources.ts';

const ref = (uid: string, block = false) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: uid, uid, blockOwnerDeletion: block });
const obj = (finalizers?: string[]): KubeObject => ({ metadata: { name: 'x', uid: 'me', finalizers, ownerReferences: [ref('a'), ref('b')] } });

describe('garbage collector decisions', () => {
  it('keeps an object with a solid owner, dropping only dead references', () => {
    const c = classifyOwners([ref('a'), ref('b')], ['present', 'absent']);
    assert.deepEqual(decide(obj(), c, false), { type: 'removeOwnerRefs', uids: ['b'] });
    assert.deepEqual(decide(obj(), classifyOwners([ref('a')], ['present']), false), { type: 'none' });
  });
  it('an owner it cannot resolve counts as solid', () => {
    assert.deepEqual(decide(obj(), classifyOwners([ref('a'), ref('b')], ['unknown', 'absent']), false), { type: 'removeOwnerRefs', uids: ['b'] });
  });
  it('deletes when every owner is gone, honouring its own finalizers', () => {
    const c = classifyOwners([ref('a'), ref('b')], ['absent', 'absent']);
    assert.deepEqual(decide(obj(), c, true), { type: 'delete', policy: 'Background' });
    assert.deepEqual(decide(obj(['orphan']), c, true), { type: 'delete', policy: 'Orphan' });
    assert.deepEqual(decide(obj(['foregroundDeletion']), c, false), { type: 'delete', policy: 'Foreground' });
  });
  it('an owner deleting in the foreground: dependents with their own dependents go in the foreground', () => {
    const c = classifyOwners([ref('a')], ['deletingDependents']);
    assert.deepEqual(decide(obj(), c, true), { type: 'delete', policy: 'Foreground' });
    assert.deepEqual(decide(obj(), c, false), { type: 'delete', policy: 'Background' });
  });
  it('finds blocking dependents and rewrites owner references', () => {
    const deps: KubeObject[] = [
      { metadata: { name: 'p', ownerReferences: [ref('o', true)] } },
      { metadata: { name: 'q', ownerReferences: [ref('o', false)] } },
    ];
    assert.deepEqual(blockingDependents(deps, 'o').map((d) => d.metadata?.name), ['p']);
    assert.deepEqual(withoutOwners(obj(), ['a'])?.map((r) => r.uid), ['b']);
    assert.equal(withoutOwners(obj(), ['zz']), undefined);
  });
});

describe('collectable resources', () => {
  it('skips events and duplicate stored resources, keeps cluster-scoped kinds', () => {
    const rs = collectableResources();
    assert.ok(!rs.some((r) => r.resource === 'events'));
    assert.equal(rs.filter((r) => r.resource === 'horizontalpodautoscalers').length, 1);
    assert.ok(rs.some((r) => r.resource === 'namespaces'));
    assert.ok(!rs.some((r) => r.resource === 'bindings' || r.resource === 'tokenreviews'));
    assert.equal(resolveOwnerKind(rs, 'apps/v1', 'ReplicaSet')?.resource, 'replicasets');
    assert.equal(resolveOwnerKind(rs, 'autoscaling/v1', 'HorizontalPodAutoscaler')?.group, 'autoscaling');
    assert.equal(resolveOwnerKind(rs, 'example.com/v1', 'Widget'), undefined);
  });
});
