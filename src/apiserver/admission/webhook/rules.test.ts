import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { namespaceSelectorMatches, objectSelectorMatches, ruleMatches, isExemptResource } from './rules.ts';
import { podAttrs } from './testing.ts';

const rule = (over: Record<string, unknown> = {}) => ({ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], ...over });

describe('webhook rule matching', () => {
  it('matches operation, group, version and resource, with wildcards', () => {
    assert.ok(ruleMatches(rule(), podAttrs()));
    assert.ok(!ruleMatches(rule(), podAttrs({ operation: 'UPDATE' })));
    assert.ok(ruleMatches(rule({ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }), podAttrs({ operation: 'DELETE' })));
    assert.ok(!ruleMatches(rule({ apiGroups: ['apps'] }), podAttrs()));
    assert.ok(!ruleMatches(rule({ resources: ['configmaps'] }), podAttrs()));
  });
  it('subresources need an explicit pods/status, */status, pods/* or */*', () => {
    const status = podAttrs({ subresource: 'status', operation: 'UPDATE' });
    const r = (resources: string[]) => rule({ operations: ['UPDATE'], resources });
    assert.ok(!ruleMatches(r(['pods']), status));
    assert.ok(!ruleMatches(r(['*']), status));
    for (const res of ['pods/status', '*/status', 'pods/*', '*/*']) assert.ok(ruleMatches(r([res]), status), res);
    assert.ok(!ruleMatches(r(['pods/log']), status));
    assert.ok(ruleMatches(r(['pods/*']), podAttrs({ operation: 'UPDATE' })));
  });
  it('scope: Namespaced, Cluster, and Namespaces count as cluster-scoped', () => {
    assert.ok(ruleMatches(rule({ scope: 'Namespaced' }), podAttrs()));
    assert.ok(!ruleMatches(rule({ scope: 'Cluster' }), podAttrs()));
    const ns = podAttrs({ resource: findResource(builtinResources, '', 'v1', 'namespaces')!, namespace: '', name: 'x' });
    assert.ok(ruleMatches(rule({ resources: ['namespaces'], scope: 'Cluster' }), ns));
    assert.ok(!ruleMatches(rule({ resources: ['namespaces'], scope: 'Namespaced' }), ns));
  });
  it('objectSelector matches the new or the old object; empty matches all', () => {
    const sel = { matchLabels: { app: 'web' } };
    assert.ok(objectSelectorMatches(undefined, podAttrs()));
    assert.ok(objectSelectorMatches({}, podAttrs()));
    assert.ok(objectSelectorMatches(sel, podAttrs({}, { app: 'web' })));
    assert.ok(!objectSelectorMatches(sel, podAttrs({}, { app: 'db' })));
    const old = podAttrs({}, { app: 'web' }).object;
    assert.ok(objectSelectorMatches(sel, podAttrs({ oldObject: old, operation: 'UPDATE' }, { app: 'db' })));
  });
  it('namespaceSelector reads the namespace labels; cluster-scoped objects always match', async () => {
    const sel = { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] };
    const get = async (name: string) => ({ metadata: { name, labels: name === 'ns' ? { env: 'prod' } : {} } }) as KubeObject;
    assert.ok(await namespaceSelectorMatches(sel, podAttrs(), get));
    assert.ok(!(await namespaceSelectorMatches(sel, podAttrs({ namespace: 'other' }), get)));
    const node = podAttrs({ resource: findResource(builtinResources, '', 'v1', 'nodes')!, namespace: '' });
    assert.ok(await namespaceSelectorMatches(sel, node, get));
  });
  it('exempts the admissionregistration group', () => {
    assert.ok(isExemptResource(podAttrs({ resource: findResource(builtinResources, 'admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations')! })));
    assert.ok(!isExemptResource(podAttrs()));
  });
});
