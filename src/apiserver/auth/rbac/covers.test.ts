import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactRules, compactString, uncovered } from './covers.ts';

test('covers: a wildcard owner covers anything', () => {
  assert.deepEqual(uncovered([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['get', 'delete'], apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'] }]), []);
});

test('covers: missing verbs are reported per verb and compacted', () => {
  const missing = uncovered([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], [{ verbs: ['get', 'delete', 'patch'], apiGroups: [''], resources: ['pods'] }]);
  assert.equal(missing.length, 2);
  assert.deepEqual(compactRules(missing).map(compactString), ['{APIGroups:[""], Resources:["pods"], Verbs:["delete" "patch"]}']);
});

test('covers: */scale and resourceNames', () => {
  assert.deepEqual(uncovered([{ verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] }], [{ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'] }]), []);
  assert.equal(uncovered([{ verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] }], [{ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'] }]).length, 1);
  const named = [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }];
  assert.deepEqual(uncovered(named, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }]), []);
  // A rule for one name does not cover a rule for every name.
  assert.equal(uncovered(named, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]).length, 1);
});

test('covers: non-resource URLs by prefix', () => {
  assert.deepEqual(uncovered([{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/apis/apps'] }]), []);
  assert.equal(uncovered([{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]).length, 1);
});
