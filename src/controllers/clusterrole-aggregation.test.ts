import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import { aggregatedRules } from './clusterrole-aggregation.ts';

test('aggregation: union of matching roles in name order, duplicates dropped, itself excluded', () => {
  const agg: ClusterRole = { metadata: { name: 'view', labels: { 'agg/view': 'true' } }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'agg/view': 'true' } }] }, rules: [{ verbs: ['stale'], apiGroups: [''], resources: ['x'] }] };
  const b: ClusterRole = { metadata: { name: 'b', labels: { 'agg/view': 'true' } }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: ['list'], apiGroups: [''], resources: ['pods'] }] };
  const a: ClusterRole = { metadata: { name: 'a', labels: { 'agg/view': 'true' } }, rules: [{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }] };
  const other: ClusterRole = { metadata: { name: 'c', labels: { 'agg/edit': 'true' } }, rules: [{ verbs: ['delete'], apiGroups: [''], resources: ['pods'] }] };
  assert.deepEqual(aggregatedRules(agg, [agg, b, other, a]), [
    { verbs: ['list'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
  ]);
  assert.deepEqual(aggregatedRules({ ...agg, aggregationRule: { clusterRoleSelectors: [] } }, [agg, a]), []);
});
