/**
 * PodSecurity `warn` mode through the real kubectl: response warnings for pods violating the
 * warn level, and for workloads whose template violates the enforce or warn level (admitted:
 * only their pods would be refused).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from '../support/server.ts';

const privilegedPod = (name: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] } });

describe('PodSecurity warn', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ datastore: 'memory' });
    await c.kubectl.ok(['create', 'namespace', 'warned']);
    await c.kubectl.ok(['label', 'namespace', 'warned', 'pod-security.kubernetes.io/warn=baseline']);
    await c.kubectl.ok(['create', 'namespace', 'enforced']);
    await c.kubectl.ok(['label', 'namespace', 'enforced', 'pod-security.kubernetes.io/enforce=baseline']);
  });
  after(async () => {
    await c?.stop();
  });

  it('admits a violating pod in a warn namespace with the upstream warning', async () => {
    const r = await c.kubectl(['-n', 'warned', 'create', '-f', '-'], { input: privilegedPod('p1') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: would violate PodSecurity "baseline:latest": privileged \(container "c" must not set securityContext.privileged=true\)/);
  });

  it('a compliant pod gets no warning', async () => {
    const r = await c.kubectl(['-n', 'warned', 'run', 'ok', '--image=busybox']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /PodSecurity/);
  });

  it('a Deployment whose template violates the enforce level is admitted with a warning; its pod would be refused', async () => {
    const deploy = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'priv' },
      spec: { selector: { matchLabels: { app: 'priv' } }, template: { metadata: { labels: { app: 'priv' } }, spec: JSON.parse(privilegedPod('x')).spec } },
    };
    const r = await c.kubectl(['-n', 'enforced', 'create', '-f', '-'], { input: JSON.stringify(deploy) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: would violate PodSecurity "baseline:latest": privileged/);
    const pod = await c.kubectl(['-n', 'enforced', 'create', '-f', '-'], { input: privilegedPod('p2') });
    assert.notEqual(pod.code, 0);
    assert.match(pod.stderr, /violates PodSecurity "baseline:latest": privileged/);
  });
});
