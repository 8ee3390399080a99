import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roleBindingStrategy } from './rolebinding.ts';
import { roleStrategy } from './role.ts';

test('rolebinding roleRef is immutable and table cells', () => {
  const rb = {
    metadata: { name: 'rb', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
    subjects: [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' },
      { kind: 'ServiceAccount', name: 'sa', namespace: 'ns' },
    ],
  } as any;
  assert.deepEqual(roleBindingStrategy.validate(rb), []);
  const changed = { ...rb, roleRef: { ...rb.roleRef, name: 'other' } };
  assert.equal(roleBindingStrategy.validateUpdate!(changed, rb)[0]?.field, 'roleRef');
  assert.deepEqual(roleBindingStrategy.table.cells(rb, new Date('2026-01-01T00:00:30Z')), ['rb', 'Role/r', '30s', 'bob', '', 'ns/sa']);
});

test('role rules need verbs', () => {
  const errs = roleStrategy.validate({ metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: [] }] } as any);
  assert.equal(errs[0]?.field, 'rules[0].verbs');
});
