import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultOrphans, finalizersForDeletion } from './gc-finalizers.ts';

const obj = (finalizers?: string[]) => ({ metadata: { name: 'x', finalizers } });

describe('deletion finalizers for garbage collection', () => {
  it('follows an explicit propagation policy', () => {
    assert.deepEqual(finalizersForDeletion(obj(), 'Orphan', false), ['orphan']);
    assert.deepEqual(finalizersForDeletion(obj(['a']), 'Foreground', false), ['a', 'foregroundDeletion']);
    assert.equal(finalizersForDeletion(obj(), 'Background', false), undefined);
    assert.deepEqual(finalizersForDeletion(obj(['foregroundDeletion']), 'Background', false), []);
    assert.deepEqual(finalizersForDeletion(obj(['orphan']), 'Foreground', false), ['foregroundDeletion']);
  });
  it('without a policy, an existing finalizer and then the resource default decide', () => {
    assert.equal(finalizersForDeletion(obj(['foregroundDeletion']), undefined, true), undefined);
    assert.deepEqual(finalizersForDeletion(obj(), undefined, true), ['orphan']);
    assert.equal(finalizersForDeletion(obj(), undefined, false), undefined);
  });
  it('orphans by default only for the legacy kinds', () => {
    assert.equal(defaultOrphans({ group: '', version: 'v1', resource: 'replicationcontrollers' }), true);
    assert.equal(defaultOrphans({ group: 'batch', version: 'v1', resource: 'jobs' }), true);
    assert.equal(defaultOrphans({ group: 'apps', version: 'v1', resource: 'replicasets' }), false);
  });
});
