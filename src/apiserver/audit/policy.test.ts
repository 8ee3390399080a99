import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy, parsePolicy, type AuditAttributes } from './policy.ts';

const policy = parsePolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: [system:kube-proxy]
  - level: None
    nonResourceURLs: [/healthz*, /version]
  - level: Metadata
    resources: [{ group: "", resources: [secrets, pods/log] }]
  - level: Request
    verbs: [create]
    namespaces: [kube-system]
    omitStages: [ResponseStarted]
  - level: RequestResponse
    userGroups: [admins]
    resources: [{ group: apps, resources: ['*/scale'] }]
  - level: Metadata
`);

const base: AuditAttributes = {
  user: { username: 'alice', groups: ['system:authenticated'] },
  verb: 'get',
  isResourceRequest: true,
  path: '/api/v1/namespaces/default/pods/p',
  group: '',
  namespace: 'default',
  resource: 'pods',
  subresource: '',
  name: 'p',
};

describe('audit policy', () => {
  it('takes the first matching rule', () => {
    assert.equal(evaluatePolicy(policy, { ...base, user: { username: 'system:kube-proxy', groups: [] } }).level, 'None');
    assert.equal(evaluatePolicy(policy, { ...base, resource: 'secrets' }).level, 'Metadata');
    assert.equal(evaluatePolicy(policy, { ...base, subresource: 'log' }).level, 'Metadata');
    assert.equal(evaluatePolicy(policy, { ...base, verb: 'create', namespace: 'kube-system' }).level, 'Request');
    assert.equal(evaluatePolicy(policy, { ...base, verb: 'create' }).level, 'Metadata');
  });

  it('matches groups, wildcard subresources and non-resource URLs', () => {
    const scale = { ...base, group: 'apps', resource: 'deployments', subresource: 'scale', user: { username: 'bob', groups: ['admins'] } };
    assert.equal(evaluatePolicy(policy, scale).level, 'RequestResponse');
    assert.equal(evaluatePolicy(policy, { ...scale, subresource: '' }).level, 'Metadata');
    const nonRes = { ...base, isResourceRequest: false, path: '/healthz/ready', resource: '', name: '' };
    assert.equal(evaluatePolicy(policy, nonRes).level, 'None');
    assert.equal(evaluatePolicy(policy, { ...nonRes, path: '/metrics' }).level, 'Metadata');
  });

  it('merges the policy and rule omitStages', () => {
    const d = evaluatePolicy(policy, { ...base, verb: 'create', namespace: 'kube-system' });
    assert.deepEqual(d.omitStages.sort(), ['RequestReceived', 'ResponseStarted']);
  });

  it('is None without a matching rule, and rejects bad levels', () => {
    const p = parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: Metadata, verbs: [delete] }]');
    assert.equal(evaluatePolicy(p, base).level, 'None');
    assert.throws(() => parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: Everything }]'), /level/);
  });
});
