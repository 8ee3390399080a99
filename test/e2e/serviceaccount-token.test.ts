/**
 * Acceptance for ServiceAccount tokens in pods, driven by the real kubectl against a server
 * with its process-runtime agent: ServiceAccount admission adds the projected
 * `kube-api-access-*` volume and mount, the kubelet writes a bound token into it, that token
 * can list pods only where a RoleBinding allows it, and it dies with its pod (401);
 * `automountServiceAccountToken: false` mounts nothing; every namespace gets kube-root-ca.crt.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const node = 'sa-node';
const mountPath = '/var/run/secrets/kubernetes.io/serviceaccount';

describe('ServiceAccount tokens in pods', { skip: !haveKubectl && 'kubectl is not installed' }, () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl.ok(args, { input });
  const pod = (name: string, ns: string, spec: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: { nodeName: node, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'sleep 3600'] }], ...spec },
  });
  const getPod = async (name: string, ns: string) => JSON.parse(await kubectl(['get', 'pod', name, '-n', ns, '-o', 'json'])) as Pod;

  before(async () => {
    cluster = await startCluster({ server: { disableAgent: false, runtime: 'process', nodeName: node }, agentOptions: { resyncMs: 1000, relistMs: 250 } });
    await eventually(async () => (await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True', 20_000, 'node Ready');
    await kubectl(['create', 'namespace', 'team-a']);
    await kubectl(['create', 'namespace', 'team-b']);
  });
  after(() => cluster?.stop());

  it('publishes kube-root-ca.crt with the cluster CA in a new namespace', async () => {
    const ca = await readFile(join(cluster.dataDir, 'tls', 'ca.crt'), 'utf8');
    const data = await eventually(async () => {
      const r = await cluster.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', 'team-a', '-o', 'jsonpath={.data.ca\\.crt}']);
      return r.code === 0 && r.stdout ? r.stdout : undefined;
    }, 15_000, 'kube-root-ca.crt');
    assert.equal(data.trim(), ca.trim());
  });

  it('mounts a bound token that RBAC governs and that dies with its pod', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify(pod('app', 'team-a')));
    const p = await getPod('app', 'team-a');
    assert.equal(p.spec?.serviceAccountName, 'default');
    const vol = p.spec?.volumes?.find((v) => v.name.startsWith('kube-api-access-'));
    assert.ok(vol?.projected, 'projected kube-api-access volume');
    assert.equal(vol.projected.defaultMode, 420);
    assert.deepEqual(p.spec?.containers[0]?.volumeMounts, [{ name: vol.name, readOnly: true, mountPath }]);

    await kubectl(['wait', '--for=condition=Ready', 'pod/app', '-n', 'team-a', '--timeout=30s']);
    const token = (await kubectl(['exec', 'app', '-n', 'team-a', '--', 'cat', `${mountPath}/token`])).trim();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal((await kubectl(['exec', 'app', '-n', 'team-a', '--', 'cat', `${mountPath}/namespace`])).trim(), 'team-a');
    assert.match(await kubectl(['exec', 'app', '-n', 'team-a', '--', 'cat', `${mountPath}/ca.crt`]), /BEGIN CERTIFICATE/);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown> & { 'kubernetes.io': { pod: { name: string; uid: string } } };
    assert.equal(claims.sub, 'system:serviceaccount:team-a:default');
    assert.deepEqual(claims['kubernetes.io'].pod, { name: 'app', uid: p.metadata?.uid });

    // Only the token: the admin kubeconfig's client certificate would authenticate first.
    const caFile = join(cluster.dataDir, 'tls', 'ca.crt');
    const withToken = (ns: string) =>
      cluster.kubectl(['--kubeconfig=/dev/null', `--server=${cluster.server.url}`, `--certificate-authority=${caFile}`, `--token=${token}`, 'get', 'pods', '-n', ns]);
    const before = await withToken('team-a');
    assert.notEqual(before.code, 0);
    assert.match(before.stderr, /Forbidden.*system:serviceaccount:team-a:default.*cannot list resource "pods"/);
    await kubectl(['create', 'rolebinding', 'sa-view', '-n', 'team-a', '--clusterrole=view', '--serviceaccount=team-a:default']);
    const allowed = await eventually(async () => {
      const r = await withToken('team-a');
      return r.code === 0 ? r.stdout : undefined;
    }, 10_000, 'token allowed by the RoleBinding');
    assert.match(allowed, /app/);
    const other = await withToken('team-b');
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /Forbidden/);

    await kubectl(['delete', 'pod', 'app', '-n', 'team-a', '--wait=true', '--timeout=30s']);
    const gone = await eventually(async () => {
      const r = await withToken('team-a');
      return r.code !== 0 && /Unauthorized/.test(r.stderr) ? r : undefined;
    }, 10_000, 'token rejected after the pod is gone');
    assert.match(gone.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
  });

  it('mounts nothing with automountServiceAccountToken: false', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify(pod('quiet', 'team-b', { automountServiceAccountToken: false })));
    const p = await getPod('quiet', 'team-b');
    assert.equal(p.spec?.serviceAccountName, 'default');
    assert.equal(p.spec?.volumes, undefined);
    assert.equal(p.spec?.containers[0]?.volumeMounts, undefined);
  });

  it('fails the mount of a projected volume whose configMap is missing, and keeps the account immutable', async () => {
    const projected = { name: 'cfg', projected: { sources: [{ configMap: { name: 'absent' } }, { serviceAccountToken: { path: 'tok', audience: 'vault' } }] } };
    const spec = { volumes: [projected], containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'sleep 3600'], volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] }] };
    await kubectl(['apply', '-f', '-'], JSON.stringify(pod('blocked', 'team-b', spec)));
    const msg = await eventually(async () => {
      const out = await kubectl(['get', 'events', '-n', 'team-b', '--field-selector', 'involvedObject.name=blocked,reason=FailedMount', '-o', 'jsonpath={.items[*].message}']);
      return out || undefined;
    }, 15_000, 'FailedMount event');
    assert.match(msg, /configmap "absent" not found/);
    assert.match(await kubectl(['get', 'pod', 'blocked', '-n', 'team-b', '--no-headers']), /\s0\/1\s+ContainerCreating\s/);
    const r = await cluster.kubectl(['patch', 'pod', 'blocked', '-n', 'team-b', '--type=merge', '-p', '{"spec":{"serviceAccountName":"other"}}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pod updates may not change fields/);
  });

  it('refuses a pod whose ServiceAccount does not exist', async () => {
    const r = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod('orphan', 'team-b', { serviceAccountName: 'nobody' })) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods "orphan" is forbidden: error looking up service account team-b\/nobody: serviceaccount "nobody" not found/);
  });
});
