/**
 * ValidatingAdmissionPolicy end to end through the real kubectl: `object.spec.replicas <= 5`
 * bound with Deny refuses a Deployment of 6 with upstream's message; a Warn binding admits
 * with a kubectl warning; a ConfigMap-parameterised policy with messageExpression, and its
 * parameterNotFoundAction Deny when the param is missing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from '../support/server.ts';

const list = (...items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const av = 'admissionregistration.k8s.io/v1';
const deployRules = [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }];

describe('ValidatingAdmissionPolicy', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ datastore: 'memory' });
    for (const [ns, env] of [['test', 'test'], ['warned', 'warn'], ['param', 'param']]) {
      await c.kubectl.ok(['create', 'namespace', ns!]);
      await c.kubectl.ok(['label', 'namespace', ns!, `environment=${env}`]);
    }
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: list(
        { apiVersion: av, kind: 'ValidatingAdmissionPolicy', metadata: { name: 'demo-policy.example.com' }, spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: deployRules }, validations: [{ expression: 'object.spec.replicas <= 5' }] } },
        { apiVersion: av, kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'demo-binding-test.example.com' }, spec: { policyName: 'demo-policy.example.com', validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { environment: 'test' } } } } },
        { apiVersion: av, kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'demo-binding-warn.example.com' }, spec: { policyName: 'demo-policy.example.com', validationActions: ['Warn'], matchResources: { namespaceSelector: { matchLabels: { environment: 'warn' } } } } },
        {
          apiVersion: av, kind: 'ValidatingAdmissionPolicy', metadata: { name: 'replica-limit.example.com' },
          spec: {
            paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
            matchConstraints: { resourceRules: deployRules },
            variables: [{ name: 'max', expression: 'int(params.data.maxReplicas)' }],
            validations: [{ expression: 'object.spec.replicas <= variables.max', messageExpression: '"replicas must be no greater than " + string(variables.max)', reason: 'Invalid' }],
          },
        },
        { apiVersion: av, kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'replica-limit-param.example.com' }, spec: { policyName: 'replica-limit.example.com', validationActions: ['Deny'], paramRef: { name: 'replica-limit', parameterNotFoundAction: 'Deny' }, matchResources: { namespaceSelector: { matchLabels: { environment: 'param' } } } } },
      ),
    });
  });
  after(async () => {
    await c?.stop();
  });

  it('serves policies with upstream defaults and columns', async () => {
    assert.equal(await c.kubectl.ok(['get', 'validatingadmissionpolicy', 'demo-policy.example.com', '-o', 'jsonpath={.spec.matchConstraints.matchPolicy}']), 'Equivalent');
    assert.match(await c.kubectl.ok(['get', 'validatingadmissionpolicybindings']), /demo-binding-test\.example\.com\s+demo-policy\.example\.com\s+<unset>/);
  });

  it('Deny refuses a Deployment of 6 with the upstream message (422 Invalid) and admits 5', async () => {
    const r = await c.kubectl(['-n', 'test', 'create', 'deployment', 'nginx', '--image=nginx', '--replicas=6', '-v=6']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /POST https:\/\/\S+\/apis\/apps\/v1\/namespaces\/test\/deployments\S* 422 /);
    assert.match(
      r.stderr,
      /deployments\.apps "nginx" is forbidden: ValidatingAdmissionPolicy 'demo-policy\.example\.com' with binding 'demo-binding-test\.example\.com' denied request: failed expression: object\.spec\.replicas <= 5/,
    );
    await c.kubectl.ok(['-n', 'test', 'create', 'deployment', 'nginx', '--image=nginx', '--replicas=5']);
    // Unbound namespaces are not affected.
    await c.kubectl.ok(['-n', 'default', 'create', 'deployment', 'big', '--image=nginx', '--replicas=6']);
  });

  it('Warn admits with a kubectl warning', async () => {
    const r = await c.kubectl(['-n', 'warned', 'create', 'deployment', 'nginx', '--image=nginx', '--replicas=6']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: Validation failed for ValidatingAdmissionPolicy 'demo-policy\.example\.com' with binding 'demo-binding-warn\.example\.com': failed expression: object\.spec\.replicas <= 5/);
  });

  it('a param-based policy denies when its param is missing, then enforces the param', async () => {
    const missing = await c.kubectl(['-n', 'param', 'create', 'deployment', 'one', '--image=nginx', '--replicas=1']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no params found for policy binding with `Deny` parameterNotFoundAction/);
    await c.kubectl.ok(['-n', 'param', 'create', 'configmap', 'replica-limit', '--from-literal=maxReplicas=3']);
    await c.kubectl.ok(['-n', 'param', 'create', 'deployment', 'one', '--image=nginx', '--replicas=3']);
    const r = await c.kubectl(['-n', 'param', 'create', 'deployment', 'two', '--image=nginx', '--replicas=4']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /deployments\.apps "two" is forbidden: ValidatingAdmissionPolicy 'replica-limit\.example\.com' with binding 'replica-limit-param\.example\.com' denied request: replicas must be no greater than 3/);
  });

  it('an update is checked too', async () => {
    const r = await c.kubectl(['-n', 'test', 'patch', 'deployment', 'nginx', '--type=merge', '-p', '{"spec":{"replicas":7}}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /denied request: failed expression: object\.spec\.replicas <= 5/);
  });
});
