import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthorizationAttributes } from '../authorizer.ts';
import { RbacAuthorizer } from './authorizer.ts';
import { StaticPolicy } from './policy-cache.ts';

const g = 'rbac.authorization.k8s.io';
const policy = new StaticPolicy({
  clusterRoles: [
    { metadata: { name: 'pod-reader' }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }] },
    { metadata: { name: 'discovery' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*'] }] },
  ],
  roles: [{ metadata: { name: 'cm', namespace: 'x' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['one'] }] }],
  clusterRoleBindings: [
    { metadata: { name: 'disc' }, roleRef: { apiGroup: g, kind: 'ClusterRole', name: 'discovery' }, subjects: [{ kind: 'Group', apiGroup: g, name: 'system:authenticated' }] },
    { metadata: { name: 'broken' }, roleRef: { apiGroup: g, kind: 'ClusterRole', name: 'missing' }, subjects: [{ kind: 'User', apiGroup: g, name: 'bob' }] },
  ],
  roleBindings: [
    { metadata: { name: 'jane-pods', namespace: 'x' }, roleRef: { apiGroup: g, kind: 'ClusterRole', name: 'pod-reader' }, subjects: [{ kind: 'User', apiGroup: g, name: 'jane' }] },
    // An unqualified ServiceAccount subject means one of the binding's namespace.
    { metadata: { name: 'sa-cm', namespace: 'x' }, roleRef: { apiGroup: g, kind: 'Role', name: 'cm' }, subjects: [{ kind: 'ServiceAccount', name: 'builder' }] },
  ],
});
const rbac = new RbacAuthorizer(policy);

const attrs = (username: string, o: Partial<AuthorizationAttributes>, groups = ['system:authenticated']): AuthorizationAttributes => ({
  user: { username, groups }, verb: 'get', isResourceRequest: true, namespace: 'x', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', name: '', path: '', ...o,
});

test('rbac: a RoleBinding grants only in its namespace, with the upstream reason', async () => {
  const d = await rbac.authorize(attrs('jane', { verb: 'list' }));
  assert.deepEqual(d, { allowed: true, reason: 'RBAC: allowed by RoleBinding "jane-pods/x" of ClusterRole "pod-reader" to User "jane"' });
  assert.equal((await rbac.authorize(attrs('jane', { verb: 'list', namespace: 'default' }))).allowed, false);
  assert.equal((await rbac.authorize(attrs('jane', { verb: 'delete' }))).allowed, false);
});

test('rbac: ServiceAccount subjects, resourceNames and groups', async () => {
  const sa = 'system:serviceaccount:x:builder';
  assert.equal((await rbac.authorize(attrs(sa, { resource: 'configmaps', name: 'one' }))).allowed, true);
  assert.equal((await rbac.authorize(attrs(sa, { resource: 'configmaps', name: 'two' }))).allowed, false);
  assert.equal((await rbac.authorize(attrs('system:serviceaccount:y:builder', { resource: 'configmaps', name: 'one', namespace: 'y' }))).allowed, false);
  assert.equal((await rbac.authorize(attrs('anyone', { isResourceRequest: false, path: '/api/v1' }))).allowed, true);
  assert.equal((await rbac.authorize(attrs('anyone', { isResourceRequest: false, path: '/api/v1' }, []))).allowed, false);
});

test('rbac: a binding to a missing role is reported in the reason and makes rules incomplete', async () => {
  const d = await rbac.authorize(attrs('bob', {}));
  assert.deepEqual(d, { allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "missing" not found' });
  const rules = await rbac.rulesFor({ username: 'bob', groups: ['system:authenticated'] }, 'x');
  assert.equal(rules.incomplete, true);
  assert.deepEqual(rules.nonResourceRules, [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*'] }]);
});

test('rbac: rulesFor lists what a user may do in a namespace', async () => {
  const rules = await rbac.rulesFor({ username: 'jane', groups: ['system:authenticated'] }, 'x');
  assert.deepEqual(rules.resourceRules, [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }]);
  assert.equal(rules.incomplete, false);
  assert.deepEqual((await rbac.rulesFor({ username: 'jane', groups: [] }, 'default')).resourceRules, []);
});
