import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/object.ts';
import { bootstrapPolicy, repair } from './reconcile.ts';

const find = (resource: string, name: string) => bootstrapPolicy().find((p) => p.resource === resource)!.objects.find((o) => o.metadata?.name === name)!;

test('bootstrap policy: upstream names, labels and the autoupdate annotation', () => {
  const admin = find('clusterroles', 'cluster-admin') as KubeObject & { rules: unknown[] };
  assert.deepEqual(admin.rules, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }]);
  assert.equal(admin.metadata?.annotations?.['rbac.authorization.kubernetes.io/autoupdate'], 'true');
  assert.equal(admin.metadata?.labels?.['kubernetes.io/bootstrapping'], 'rbac-defaults');
  const binding = find('clusterrolebindings', 'system:controller:replicaset-controller') as KubeObject & { subjects: unknown[] };
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'replicaset-controller', namespace: 'kube-system' }]);
  assert.ok(find('clusterroles', 'view').aggregationRule);
  assert.equal(find('clusterroles', 'edit').metadata?.labels?.['rbac.authorization.k8s.io/aggregate-to-admin'], 'true');
});

test('bootstrap policy: repair restores lost rules and subjects only while autoupdate is "true"', () => {
  const desired = find('clusterroles', 'system:basic-user');
  const trimmed = { ...desired, rules: [] } as KubeObject;
  assert.deepEqual((repair('clusterroles', trimmed, desired) as { rules: unknown[] }).rules, (desired as { rules: unknown[] }).rules);
  const pinned = { ...trimmed, metadata: { ...trimmed.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } } } as KubeObject;
  assert.equal(repair('clusterroles', pinned, desired), undefined);
  assert.equal(repair('clusterroles', desired, desired), undefined);
  const crb = find('clusterrolebindings', 'cluster-admin');
  const extra = { ...crb, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'someone' }] } as KubeObject;
  // Admin-added subjects stay; the lost default comes back.
  assert.equal((repair('clusterrolebindings', extra, crb) as { subjects: unknown[] }).subjects.length, 2);
  // Aggregated roles keep the rules the controller wrote.
  const view = find('clusterroles', 'view');
  assert.equal(repair('clusterroles', { ...view, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] } as KubeObject, view), undefined);
});
