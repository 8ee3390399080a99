/**
 * Acceptance for pulls from a registry that needs credentials (upstream kubelet keyring from
 * `imagePullSecrets`): `skiff server --registry-htpasswd FILE` makes the built-in registry
 * require HTTP Basic; a pod without secrets is `ErrImagePull` (401 in the `Failed` event) and its
 * `ImagePullBackOff` status message carries that error; a `kubectl create secret
 * docker-registry` Secret named in the pod — or in its ServiceAccount, copied by admission —
 * makes it Running; an unparsable image name is `InvalidImageName` with an `InspectFailed`
 * event. Real kubectl, the runc runtime (needs root, runc, skopeo, busybox-static).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBusyboxImage, runcSkipReason } from '../support/busybox-image.ts';
import { eventually } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const run = promisify(execFile);
const skip = runcSkipReason();

interface Ev {
  reason?: string;
  message?: string;
  type?: string;
}

describe('image pull secrets on runc', { skip }, () => {
  let c: TestCluster;
  let work: string;
  let image: string;
  const node = 'skiff-runc-secrets';

  const pod = (name: string, img: string, spec: Record<string, unknown> = {}) =>
    c.kubectl.ok(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 0, ...spec, containers: [{ name: 'main', image: img, command: ['sleep', '3600'] }] } }),
    });
  const status = async (name: string) => (await c.kubectl.ok(['get', 'pod', name, '--no-headers'])).trim().split(/\s+/)[2];
  const waiting = async (name: string) =>
    JSON.parse((await c.kubectl.ok(['get', 'pod', name, '-o', 'jsonpath={.status.containerStatuses[0].state.waiting}'])) || '{}') as { reason?: string; message?: string };
  const events = async (name: string): Promise<Ev[]> =>
    (JSON.parse(await c.kubectl.ok(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json'])) as { items: Ev[] }).items;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'skiff-pull-secrets-'));
    const htpasswd = join(work, 'htpasswd');
    await writeFile(htpasswd, 'alice:s3cret\n');
    c = await startCluster({
      server: { disableAgent: false, runtime: 'runc', nodeName: node, nodeBridge: 'skrsec0', clusterCidr: '10.66.0.0/16', registryHtpasswd: htpasswd },
      agentOptions: { resyncMs: 1000, relistMs: 250 },
    });
    const { layoutDir } = await buildBusyboxImage(work);
    const registry = c.server.registry.address!;
    image = `${registry}/private/busybox:1.36`;
    // Without credentials the push itself is refused: the flag really turned authentication on.
    await assert.rejects(run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layoutDir}`, `docker://${image}`], { timeout: 60_000 }));
    await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', 'alice:s3cret', `oci:${layoutDir}`, `docker://${image}`], { timeout: 120_000 });
    await c.kubectl.ok(['create', 'secret', 'docker-registry', 'regcred', `--docker-server=${registry}`, '--docker-username=alice', '--docker-password=s3cret']);
    await eventually(async () => (await c.kubectl.ok(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True', 30_000, 'node Ready');
  });
  after(async () => {
    await c?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('without imagePullSecrets the pull is refused (401), then backs off with that error', async () => {
    await pod('nosecret', image);
    const failed = await eventually(async () => (await events('nosecret')).find((x) => x.reason === 'Failed' && x.message?.startsWith('Failed to pull')), 30_000, 'Failed event');
    assert.equal(failed.type, 'Warning');
    assert.ok(failed.message?.startsWith(`Failed to pull image "${image}": `), failed.message);
    assert.match(failed.message!, /401/);
    const w = await eventually(async () => {
      const x = await waiting('nosecret');
      return x.reason === 'ImagePullBackOff' ? x : undefined;
    }, 40_000, 'ImagePullBackOff');
    assert.ok(w.message?.startsWith(`Back-off pulling image "${image}": ErrImagePull: Failed to pull image "${image}": `), w.message);
    assert.match(w.message!, /401/);
    await c.kubectl.ok(['delete', 'pod', 'nosecret', '--timeout=60s']);
  });

  it('a docker-registry Secret in imagePullSecrets makes the pod Running', async () => {
    await pod('withsecret', image, { imagePullSecrets: [{ name: 'regcred' }] });
    await c.kubectl.ok(['wait', '--for=condition=Ready', 'pod/withsecret', '--timeout=60s']);
    assert.equal(await status('withsecret'), 'Running');
    await c.kubectl.ok(['delete', 'pod', 'withsecret', '--timeout=60s']);
  });

  it('ServiceAccount imagePullSecrets are copied into the pod and used', async () => {
    await c.kubectl.ok(['create', 'serviceaccount', 'puller']);
    await c.kubectl.ok(['patch', 'serviceaccount', 'puller', '-p', '{"imagePullSecrets":[{"name":"regcred"}]}']);
    await pod('viasa', image, { serviceAccountName: 'puller' });
    assert.equal(await c.kubectl.ok(['get', 'pod', 'viasa', '-o', 'jsonpath={.spec.imagePullSecrets[0].name}']), 'regcred');
    await c.kubectl.ok(['wait', '--for=condition=Ready', 'pod/viasa', '--timeout=60s']);
    await c.kubectl.ok(['delete', 'pod', 'viasa', '--timeout=60s']);
  });

  it('an unparsable image name is InvalidImageName with an InspectFailed event', async () => {
    const bad = `${c.server.registry.address}/Private/BusyBox:1.36`;
    await pod('badname', bad);
    await eventually(async () => (await status('badname')) === 'InvalidImageName', 30_000, 'InvalidImageName');
    const e = await eventually(async () => (await events('badname')).find((x) => x.reason === 'InspectFailed'), 10_000, 'InspectFailed event');
    assert.equal(e.type, 'Warning');
    assert.equal(e.message, `Failed to apply default image tag "${bad}": couldn't parse image name "${bad}": invalid reference format: repository name (Private/BusyBox) must be lowercase`);
    assert.ok(!(await events('badname')).some((x) => x.reason === 'Pulling'), 'no pull was tried');
    await c.kubectl.ok(['delete', 'pod', 'badname', '--timeout=60s']);
  });
});
