/**
 * @module Acceptance: the built-in registry of a real `skiff server` (free ports). skopeo pushes
 * the busybox image to it, `skopeo inspect` and `skopeo copy` back out work, and a node's image
 * service pulls it by tag and by digest.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { OciImageService } from '../../src/kubelet/images/image-service.ts';
import { buildBusyboxImage, busyboxSkipReason, pushImage, skopeoSkipReason } from '../support/busybox-image.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const run = promisify(execFile);
const skip = busyboxSkipReason() || skopeoSkipReason();

describe('built-in registry', { skip }, () => {
  let cluster: TestCluster;
  let work: string;
  let image: { layoutDir: string; manifestDigest: string; configDigest: string };
  let registry: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'skiff-registry-e2e-'));
    cluster = await startCluster({ datastore: 'memory', server: { registryPort: 0 } });
    assert.ok(cluster.server.registry.address, 'registry is running');
    registry = cluster.server.registry.address!;
    image = await buildBusyboxImage(work);
    await pushImage(image.layoutDir, registry, 'busybox:1.36');
  });
  after(async () => {
    await cluster?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('serves /v2/ with the API version header', async () => {
    const res = await fetch(`http://${registry}/v2/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
  });

  test('skopeo inspect shows the pushed image and its tag', async () => {
    const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${registry}/busybox:1.36`]);
    const info = JSON.parse(stdout) as { Digest: string; RepoTags: string[]; Architecture: string; Os: string };
    assert.equal(info.Digest, image.manifestDigest);
    assert.deepEqual(info.RepoTags, ['1.36']);
    assert.equal(info.Architecture, 'amd64');
    assert.equal(info.Os, 'linux');
    const catalog = (await (await fetch(`http://${registry}/v2/_catalog`)).json()) as { repositories: string[] };
    assert.deepEqual(catalog.repositories, ['busybox']);
  });

  test('skopeo copy back out gives the same bytes', async () => {
    const out = join(work, 'copied');
    await run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${registry}/busybox:1.36`, `oci:${out}:1.36`]);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(index.manifests[0]!.digest, image.manifestDigest);
    const config = await readFile(join(out, 'blobs', 'sha256', image.configDigest.slice(7)));
    assert.deepEqual(config, await readFile(join(image.layoutDir, 'blobs', 'sha256', image.configDigest.slice(7))));
  });

  test('content lives content-addressed under <data-dir>/registry', async () => {
    assert.ok((await lstat(join(cluster.dataDir, 'registry', 'blobs', 'sha256', image.manifestDigest.slice(7)))).isFile());
  });

  test('a node pulls it by tag and by digest', async () => {
    const svc = new OciImageService(join(work, 'agent', 'images'));
    const byTag = await svc.pullImage(`${registry}/busybox:1.36`);
    assert.equal(byTag.id, image.configDigest);
    assert.equal(byTag.digestRef, `${registry}/busybox@${image.manifestDigest}`);
    const byDigest = await svc.pullImage(`${registry}/busybox@${image.manifestDigest}`);
    assert.equal(byDigest.id, image.configDigest);
    const dirs = await svc.layerDirs(byTag.id);
    assert.ok((await lstat(join(dirs[0]!, 'bin', 'busybox'))).isFile());
    assert.deepEqual((await svc.imageConfig(byTag.id)).Cmd, ['sh']);
  });
});
