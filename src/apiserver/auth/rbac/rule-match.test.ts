import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { ruleAllows, type RequestAttributes } from './rule-match.ts';

const req = (o: Partial<RequestAttributes>): RequestAttributes => ({
  verb: 'get', isResourceRequest: true, namespace: 'default', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', name: '', path: '', ...o,
});

const cases: [string, PolicyRule, Partial<RequestAttributes>, boolean][] = [
  ['exact verb/group/resource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, {}, true],
  ['other verb', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verb: 'delete' }, false],
  ['verb *', { verbs: ['*'], apiGroups: [''], resources: ['pods'] }, { verb: 'deletecollection' }, true],
  ['other group', { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, {}, false],
  ['group *', { verbs: ['get'], apiGroups: ['*'], resources: ['deployments'] }, { apiGroup: 'apps', resource: 'deployments' }, true],
  ['resource does not cover subresource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { subresource: 'log' }, false],
  ['subresource exact', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, { subresource: 'log' }, true],
  ['subresource rule does not cover resource', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, {}, false],
  ['*/scale covers any scale', { verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] }, { apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }, true],
  ['*/scale not the resource', { verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] }, { apiGroup: 'apps', resource: 'deployments' }, false],
  ['resource * covers subresources', { verbs: ['get'], apiGroups: [''], resources: ['*'] }, { subresource: 'status' }, true],
  ['resourceNames match', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, { resource: 'configmaps', name: 'a' }, true],
  ['resourceNames other name', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, { resource: 'configmaps', name: 'b' }, false],
  ['resourceNames never cover list (no name)', { verbs: ['list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, { verb: 'list', resource: 'configmaps' }, false],
  ['nonResource exact', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, { isResourceRequest: false, path: '/healthz' }, true],
  ['nonResource prefix *', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, { isResourceRequest: false, path: '/apis/apps/v1' }, true],
  ['nonResource prefix does not cover parent', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, { isResourceRequest: false, path: '/apis' }, false],
  ['nonResource rule ignores resources', { verbs: ['get'], nonResourceURLs: ['*'] }, {}, false],
  ['resource rule ignores paths', { verbs: ['get'], apiGroups: ['*'], resources: ['*'] }, { isResourceRequest: false, path: '/healthz' }, false],
];

for (const [name, rule, attrs, want] of cases)
  test(`rule match: ${name}`, () => assert.equal(ruleAllows(req(attrs), rule), want));
