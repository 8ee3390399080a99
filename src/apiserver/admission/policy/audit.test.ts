/**
 * ValidatingAdmissionPolicy audit output end to end: a real server with an audit log, a policy
 * with auditAnnotations and an `Audit` binding applied with kubectl; the create's audit event
 * carries `<policy>/<key>` and `validation.policy.admission.k8s.io/validation_failure`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, haveKubectl } from '../../../../test/support/kubectl.ts';
import { startCluster, type TestCluster } from '../../../../test/support/server.ts';

const manifests = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: audited.example.com }
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules: [{ operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [configmaps] }]
  validations:
    - expression: "!object.metadata.name.startsWith('odd')"
      message: odd names are discouraged
  auditAnnotations:
    - key: creator
      valueExpression: "'created by ' + request.userInfo.username"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: audited-binding.example.com }
spec:
  policyName: audited.example.com
  validationActions: [Audit]
`;

describe('ValidatingAdmissionPolicy audit annotations', { skip: !haveKubectl && 'kubectl not installed' }, () => {
  let c: TestCluster;
  let dir: string;
  let log: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-vap-audit-'));
    const policy = join(dir, 'policy.yaml');
    log = join(dir, 'audit.log');
    await writeFile(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n    resources: [{ group: "", resources: [configmaps] }]\n  - level: None\n');
    c = await startCluster({ datastore: 'memory', server: { audit: { policyFile: policy, logPath: log } } });
  });
  after(async () => {
    await c?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const createEvent = (name: string) => async () =>
    (await readFile(log, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { stage: string; verb: string; objectRef?: { name?: string }; annotations?: Record<string, string> })
      .find((e) => e.stage === 'ResponseComplete' && e.verb === 'create' && e.objectRef?.name === name);

  it('writes auditAnnotations and the Audit action failure into the audit event', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: manifests });
    await c.kubectl.ok(['create', 'configmap', 'odd-one', '--from-literal=a=b']);
    const e = await eventually(createEvent('odd-one'), 10_000, 'audit event for configmap odd-one');
    assert.match(e.annotations?.['audited.example.com/creator'] ?? '', /^created by /);
    assert.deepEqual(JSON.parse(e.annotations?.['validation.policy.admission.k8s.io/validation_failure'] ?? 'null'), [
      { message: 'odd names are discouraged', policy: 'audited.example.com', binding: 'audited-binding.example.com', expressionIndex: 0, validationActions: ['Audit'] },
    ]);
    await c.kubectl.ok(['create', 'configmap', 'even-one', '--from-literal=a=b']);
    const ok = await eventually(createEvent('even-one'), 10_000, 'audit event for configmap even-one');
    assert.equal(ok.annotations?.['validation.policy.admission.k8s.io/validation_failure'], undefined);
    assert.match(ok.annotations?.['audited.example.com/creator'] ?? '', /^created by /);
  });
});
