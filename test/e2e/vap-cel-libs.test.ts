/**
 * Kubernetes' CEL libraries in ValidatingAdmissionPolicy, end to end through the real kubectl:
 * a `quantity()` limit on the first container's memory limit, `url()`/`cidr()` checks on a
 * ConfigMap's data, and an `authorizer` check that asks RBAC whether the requesting user may
 * `approve` widgets — denied for a user without that permission, admitted with it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const av = 'admissionregistration.k8s.io/v1';
const list = (...items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const rules = (resource: string) => [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: [resource] }];
const policy = (name: string, resource: string, validations: object[]) => ({
  apiVersion: av, kind: 'ValidatingAdmissionPolicy', metadata: { name }, spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: rules(resource) }, validations },
});
const binding = (name: string, ns: string) => ({
  apiVersion: av, kind: 'ValidatingAdmissionPolicyBinding', metadata: { name }, spec: { policyName: name, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } } },
});
const pod = (name: string, memory: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'q' }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { limits: { memory } } }] } });

describe('ValidatingAdmissionPolicy CEL libraries', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ datastore: 'memory' });
    for (const ns of ['q', 'u', 'a']) await c.kubectl.ok(['create', 'namespace', ns]);
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: list(
        policy('memory-limit', 'pods', [{
          expression: "!quantity(object.spec.containers[0].resources.limits.memory).isGreaterThan(quantity('1Gi'))",
          messageExpression: "'memory limit ' + object.spec.containers[0].resources.limits.memory + ' exceeds 1Gi'",
        }]),
        binding('memory-limit', 'q'),
        policy('endpoints', 'configmaps', [
          { expression: "!has(object.data.endpoint) || (isURL(object.data.endpoint) && url(object.data.endpoint).getScheme() == 'https')", message: 'endpoint must be an https URL' },
          { expression: "!has(object.data.subnet) || cidr('10.0.0.0/8').containsCIDR(object.data.subnet)", messageExpression: "'subnet ' + object.data.subnet + ' is outside 10.0.0.0/8'" },
        ]),
        binding('endpoints', 'u'),
        policy('approvers', 'configmaps', [{
          expression: "authorizer.group('example.com').resource('widgets').namespace(object.metadata.namespace).check('approve').allowed()",
          messageExpression: "request.userInfo.username + ' may not approve widgets'",
        }, { expression: "authorizer.requestResource.check('create').allowed()" }]),
        binding('approvers', 'a'),
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'cm-writer', namespace: 'a' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get'] }] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'cm-writer', namespace: 'a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-writer' }, subjects: ['jane', 'joe'].map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name })) },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'approver', namespace: 'a' }, rules: [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['approve'] }] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'approver', namespace: 'a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'approver' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'joe' }] },
      ),
    });
  });
  after(async () => {
    await c?.stop();
  });

  it('quantity(): a memory limit above 1Gi is denied, 1Gi and below admitted', async () => {
    const r = await eventually(async () => {
      const res = await c.kubectl(['apply', '-f', '-'], { input: pod('big', '2Gi') });
      return res.code !== 0 && res;
    }, 10_000, 'the memory-limit policy to deny');
    // kubectl apply prints a 422 as `The pods "big" is invalid: : …`.
    assert.match(r.stderr, /pods "big" is invalid: : ValidatingAdmissionPolicy 'memory-limit' with binding 'memory-limit' denied request: memory limit 2Gi exceeds 1Gi/);
    await c.kubectl.ok(['apply', '-f', '-'], { input: pod('exact', '1Gi') });
    await c.kubectl.ok(['apply', '-f', '-'], { input: pod('small', '512Mi') });
    // The comparison is numeric across suffixes: 1025Mi is just over 1Gi, 1073741824 exactly 1Gi.
    assert.match((await c.kubectl(['apply', '-f', '-'], { input: pod('over', '1025Mi') })).stderr, /memory limit 1025Mi exceeds 1Gi/);
    await c.kubectl.ok(['apply', '-f', '-'], { input: pod('bytes', '1073741824') });
  });

  it('url() and cidr(): https endpoints and subnets inside 10.0.0.0/8 only', async () => {
    const r = await eventually(async () => {
      const res = await c.kubectl(['-n', 'u', 'create', 'configmap', 'plain', '--from-literal=endpoint=http://example.com/x']);
      return res.code !== 0 && res;
    }, 10_000, 'the endpoints policy to deny');
    assert.match(r.stderr, /configmaps "plain" is forbidden: ValidatingAdmissionPolicy 'endpoints' with binding 'endpoints' denied request: endpoint must be an https URL/);
    assert.match((await c.kubectl(['-n', 'u', 'create', 'configmap', 'rel', '--from-literal=endpoint=../x'])).stderr, /endpoint must be an https URL/);
    await c.kubectl.ok(['-n', 'u', 'create', 'configmap', 'secure', '--from-literal=endpoint=https://example.com:8443/x', '--from-literal=subnet=10.1.0.0/16']);
    const out = await c.kubectl(['-n', 'u', 'create', 'configmap', 'far', '--from-literal=subnet=192.168.0.0/16']);
    assert.match(out.stderr, /denied request: subnet 192\.168\.0\.0\/16 is outside 10\.0\.0\.0\/8/);
    // A malformed CIDR is an evaluation error, which failurePolicy Fail turns into a denial.
    const bad = await c.kubectl(['-n', 'u', 'create', 'configmap', 'bad', '--from-literal=subnet=10.0.0.0/99']);
    assert.match(bad.stderr, /denied request: expression .* resulted in error: network address parse error during conversion from string/);
  });

  it('authorizer: a user without the permission is denied, one with it admitted', async () => {
    const r = await eventually(async () => {
      const res = await c.kubectl(['--as=jane', '-n', 'a', 'create', 'configmap', 'by-jane']);
      return /may not approve widgets/.test(res.stderr) && res;
    }, 10_000, 'the approvers policy to deny jane');
    assert.match(r.stderr, /configmaps "by-jane" is forbidden: ValidatingAdmissionPolicy 'approvers' with binding 'approvers' denied request: jane may not approve widgets/);
    await eventually(async () => (await c.kubectl(['--as=joe', '-n', 'a', 'create', 'configmap', 'by-joe'])).code === 0, 10_000, 'joe to be admitted');
    assert.equal(await c.kubectl.ok(['-n', 'a', 'get', 'configmap', 'by-joe', '-o', 'jsonpath={.metadata.name}']), 'by-joe');
    assert.notEqual((await c.kubectl(['-n', 'a', 'get', 'configmap', 'by-jane'])).code, 0);
  });
});
