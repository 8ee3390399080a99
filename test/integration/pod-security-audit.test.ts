/**
 * PodSecurity `audit` mode: a pod that violates the namespace's audit level is admitted (the
 * enforce level allows it) and its create's audit event carries upstream's annotations
 * `pod-security.kubernetes.io/audit-violations` and `pod-security.kubernetes.io/enforce-policy`.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

describe('PodSecurity audit annotations', { skip: !haveKubectl && 'kubectl not installed' }, () => {
  let c: TestCluster;
  let dir: string;
  let log: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-psa-audit-'));
    const policy = join(dir, 'policy.yaml');
    log = join(dir, 'audit.log');
    await writeFile(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n    resources: [{ group: "", resources: [pods] }]\n  - level: None\n');
    c = await startCluster({ datastore: 'memory', server: { audit: { policyFile: policy, logPath: log } } });
  });
  after(async () => {
    await c?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const events = async (): Promise<Array<Record<string, any>>> =>
    (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
  const createEvent = (name: string, ns: string) => async () =>
    (await events()).find((e) => e.stage === 'ResponseComplete' && e.verb === 'create' && e.objectRef?.namespace === ns && e.objectRef?.name === name);

  it('annotates the audit event of a pod that violates the audit level', async () => {
    await c.kubectl.ok(['create', 'namespace', 'audited']);
    await c.kubectl.ok(['label', 'namespace', 'audited', 'pod-security.kubernetes.io/audit=baseline']);
    await c.kubectl.ok(['run', 'priv', '-n', 'audited', '--image=busybox', '--privileged']);
    const e = await eventually(createEvent('priv', 'audited'), 10_000, 'audit event for pod priv');
    assert.equal(e.responseStatus.code, 201);
    assert.equal(e.annotations['pod-security.kubernetes.io/enforce-policy'], 'privileged:latest');
    assert.match(e.annotations['pod-security.kubernetes.io/audit-violations'], /^would violate PodSecurity "baseline:latest": privileged \(container "priv" must not set securityContext\.privileged=true\)/);
    // A compliant pod in the same namespace gets no violation annotation.
    await c.kubectl.ok(['run', 'plain', '-n', 'audited', '--image=busybox']);
    const ok = await eventually(createEvent('plain', 'audited'), 10_000, 'audit event for pod plain');
    assert.equal(ok.annotations['pod-security.kubernetes.io/audit-violations'], undefined);
    assert.equal(ok.annotations['pod-security.kubernetes.io/enforce-policy'], 'privileged:latest');
  });
});
