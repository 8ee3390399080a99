/**
 * @module The node image store against the built-in registry over real HTTP: pulls by tag and
 * digest, index → linux/amd64, whiteouts (overlay form and flattened), layer sharing between
 * images, concurrent pulls doing the work once, auth challenges, removal.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { RegistryHandler } from '../../registry-oci/server.ts';
import { RegistryStore } from '../../registry-oci/store.ts';
import { busyboxSkipReason, buildBusyboxImage, sha256, tarDirectory, writeOciLayout } from '../../../test/support/busybox-image.ts';
import { credentialsFor } from './docker-config.ts';
import { OciImageService } from './image-service.ts';
import { ImagePullError } from './registry-client.ts';
import { pushBlob, pushLayout, pushManifest } from './testing.ts';
import { probeOverlayWhiteouts } from './whiteouts.ts';

const run = promisify(execFile);
let dir: string;
let server: Server;
let registry: string;
/** Blob GETs seen by the registry, by digest. */
const blobGets = new Map<string, number>();

async function stage(files: Record<string, string>): Promise<Buffer> {
  const root = await mkdtemp(join(dir, 'stage-'));
  for (const [p, content] of Object.entries(files)) {
    if (p.endsWith('/')) await mkdir(join(root, p), { recursive: true });
    else {
      await mkdir(join(root, p, '..'), { recursive: true });
      await writeFile(join(root, p), content);
    }
  }
  return tarDirectory(root);
}

async function image(name: string, layers: Buffer[], arch = 'amd64'): Promise<{ manifestDigest: string; configDigest: string }> {
  const layout = await writeOciLayout(await mkdtemp(join(dir, 'layout-')), { layers, config: { Cmd: ['sh'], Env: ['PATH=/bin'] }, architecture: arch });
  const [repo, tag] = name.split(':');
  await pushLayout(layout.layoutDir, registry, repo!, tag!);
  return layout;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skiff-images-'));
  const store = new RegistryStore(join(dir, 'registry'));
  await store.init();
  const handler = new RegistryHandler(store);
  server = createServer((req, res) => {
    const m = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(req.url ?? '');
    if (m && req.method === 'GET') blobGets.set(m[1]!, (blobGets.get(m[1]!) ?? 0) + 1);
    void handler.handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('OciImageService', () => {
  test('pulls busybox by tag and by digest; layers unpacked, config readable', { skip: busyboxSkipReason() }, async () => {
    const bb = await buildBusyboxImage(await mkdtemp(join(dir, 'bb-')));
    await pushLayout(bb.layoutDir, registry, 'busybox', '1.36');
    const svc = new OciImageService(join(dir, 'node-bb'));
    const ref = await svc.pullImage(`${registry}/busybox:1.36`);
    assert.equal(ref.id, bb.configDigest);
    assert.equal(ref.digestRef, `${registry}/busybox@${bb.manifestDigest}`);
    const [top] = await svc.layerDirs(ref.id);
    assert.ok((await lstat(join(top!, 'bin', 'busybox'))).isFile());
    assert.ok((await lstat(join(top!, 'bin', 'sh'))).isSymbolicLink());
    assert.deepEqual((await svc.imageConfig(ref.id)).Cmd, ['sh']);
    assert.ok(existsSync(join(svc.root, 'blobs', 'sha256', bb.manifestDigest.slice(7))));

    const byDigest = await svc.pullImage(`${registry}/busybox@${bb.manifestDigest}`);
    assert.equal(byDigest.id, bb.configDigest);
    const status = await svc.imageStatus(`${registry}/busybox:1.36`);
    assert.equal(status?.id, bb.configDigest);
    assert.deepEqual(status?.repoTags, [`${registry}/busybox:1.36`]);
    assert.ok(status!.sizeBytes > 500_000);
    assert.equal((await svc.imageStatus(bb.configDigest))?.id, bb.configDigest);
    assert.equal((await svc.listImages()).length, 1);
  });

  test('an index resolves to its linux/amd64 image', async () => {
    const arm = await image('multi:arm', [await stage({ 'arch.txt': 'arm64' })], 'arm64');
    const amd = await image('multi:amd', [await stage({ 'arch.txt': 'amd64' })]);
    const desc = async (d: string, arch: string) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: d,
      size: (await (await fetch(`http://${registry}/v2/multi/manifests/${d}`)).arrayBuffer()).byteLength,
      platform: { os: 'linux', architecture: arch },
    });
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [await desc(arm.manifestDigest, 'arm64'), await desc(amd.manifestDigest, 'amd64')],
    });
    const indexDigest = await pushManifest(registry, 'multi', 'v1', index, 'application/vnd.oci.image.index.v1+json');
    const svc = new OciImageService(join(dir, 'node-index'));
    const ref = await svc.pullImage(`${registry}/multi:v1`);
    assert.equal(ref.id, amd.configDigest);
    assert.equal(ref.digestRef, `${registry}/multi@${indexDigest}`);
    const [top] = await svc.layerDirs(ref.id);
    assert.equal(await readFile(join(top!, 'arch.txt'), 'utf8'), 'amd64');
  });

  const base = () => stage({ 'a.txt': 'a', 'b.txt': 'b', 'd/x': 'x', 'keep/k': 'k' });
  const upper = () => stage({ '.wh.a.txt': '', 'd/.wh..wh..opq': '', 'd/y': 'y' });

  test('whiteouts become overlayfs whiteouts (root)', async (t) => {
    const probeDir = await mkdtemp(join(dir, 'probe-'));
    if (!(await probeOverlayWhiteouts(probeDir))) return t.skip('needs root with mknod and trusted xattrs');
    await image('wh:1', [await base(), await upper()]);
    const svc = new OciImageService(join(dir, 'node-wh'), { mode: 'overlay' });
    const ref = await svc.pullImage(`${registry}/wh:1`);
    const [top, bottom] = await svc.layerDirs(ref.id);
    const wh = await lstat(join(top!, 'a.txt'));
    assert.ok(wh.isCharacterDevice());
    assert.equal(wh.rdev, 0);
    const { stdout } = await run('python3', ['-c', 'import os,sys; print(os.getxattr(sys.argv[1], "trusted.overlay.opaque").decode())', join(top!, 'd')]);
    assert.equal(stdout.trim(), 'y');
    await assert.rejects(lstat(join(top!, 'd', '.wh..wh..opq')));
    assert.equal(await readFile(join(bottom!, 'a.txt'), 'utf8'), 'a');
    // The real thing: mount the layers and look.
    const m = await mkdtemp(join(dir, 'mnt-'));
    const mounted = await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${top}:${bottom}`, m]).then(() => true, () => false);
    if (mounted || process.env.CI) {
      assert.ok(mounted, 'overlay mount failed');
      try {
        assert.deepEqual((await readdir(m)).sort(), ['b.txt', 'd', 'keep']);
        assert.deepEqual(await readdir(join(m, 'd')), ['y']);
      } finally {
        await run('umount', [m]);
      }
    }
  });

  test('whiteouts applied when flattening (non-root fallback)', async () => {
    await image('wh:2', [await base(), await upper()]);
    const svc = new OciImageService(join(dir, 'node-flat'), { mode: 'flatten' });
    const ref = await svc.pullImage(`${registry}/wh:2`);
    const dirs = await svc.layerDirs(ref.id);
    assert.equal(dirs.length, 1);
    assert.deepEqual((await readdir(dirs[0]!)).sort(), ['b.txt', 'd', 'keep']);
    assert.deepEqual(await readdir(join(dirs[0]!, 'd')), ['y']);
  });

  test('a layer shared by two images is stored and unpacked once', async () => {
    const shared = await stage({ 'shared/lib': 'common' });
    const one = await image('app-one:1', [shared, await stage({ 'one': '1' })]);
    const two = await image('app-two:1', [shared, await stage({ 'two': '2' })]);
    const svc = new OciImageService(join(dir, 'node-dedup'), { mode: 'overlay' });
    if ((await svc.mode()) !== 'overlay') return;
    const [r1, r2] = [await svc.pullImage(`${registry}/app-one:1`), await svc.pullImage(`${registry}/app-two:1`)];
    const d1 = await svc.layerDirs(r1.id);
    const d2 = await svc.layerDirs(r2.id);
    assert.equal(d1[1], d2[1]);
    assert.equal(d1[1]!.endsWith(sha256(shared).slice(7)), true);
    assert.equal((await readdir(join(svc.root, 'layers'))).filter((d) => !d.startsWith('.')).length, 3);
    assert.notEqual(one.configDigest, two.configDigest);
    // Removing one keeps the shared layer for the other.
    await svc.removeImage(`${registry}/app-one:1`);
    assert.equal(await svc.imageStatus(`${registry}/app-one:1`), undefined);
    assert.equal(await readFile(join(d2[1]!, 'shared', 'lib'), 'utf8'), 'common');
    assert.equal((await readdir(join(svc.root, 'layers'))).filter((d) => !d.startsWith('.')).length, 2);
  });

  test('concurrent pulls of one image fetch each blob once', async () => {
    const layer = await stage({ 'big.bin': 'z'.repeat(2_000_000) });
    await image('concurrent:1', [layer]);
    const svc = new OciImageService(join(dir, 'node-conc'));
    const refs = await Promise.all([1, 2, 3, 4].map(() => svc.pullImage(`${registry}/concurrent:1`)));
    assert.equal(new Set(refs.map((r) => r.id)).size, 1);
    const gz = (await readdir(join(svc.root, 'blobs', 'sha256'))).map((h) => `sha256:${h}`);
    for (const d of gz) assert.ok((blobGets.get(d) ?? 0) <= 1, `blob ${d} fetched ${blobGets.get(d)} times`);
  });

  test('missing image is NotFound; bad digest reference is refused', async () => {
    const svc = new OciImageService(join(dir, 'node-missing'));
    await assert.rejects(svc.pullImage(`${registry}/nothing:here`), (e: unknown) => e instanceof ImagePullError && e.code === 'NotFound');
    await assert.rejects(svc.pullImage(`${registry}/BAD`), (e: unknown) => e instanceof ImagePullError && e.code === 'Invalid');
  });

  test('Bearer challenge answered with dockerconfigjson credentials', async () => {
    await image('private:1', [await stage({ 'secret.txt': 's' })]);
    const store = new RegistryStore(join(dir, 'registry'));
    const handler = new RegistryHandler(store);
    const authSrv = createServer((req, res) => {
      const port = (authSrv.address() as AddressInfo).port;
      if (req.url?.startsWith('/token')) {
        const ok = req.headers.authorization === `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
        res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' }).end(ok ? '{"token":"tok-1"}' : '{}');
        return;
      }
      if (req.url !== '/v2/' && req.headers.authorization !== 'Bearer tok-1') {
        res
          .writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="test",scope="repository:private:pull"` })
          .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
      void handler.handle(req, res);
    });
    await new Promise<void>((r) => authSrv.listen(0, '127.0.0.1', r));
    try {
      const host = `127.0.0.1:${(authSrv.address() as AddressInfo).port}`;
      const svc = new OciImageService(join(dir, 'node-auth'));
      await assert.rejects(svc.pullImage(`${host}/private:1`), (e: unknown) => e instanceof ImagePullError && e.code === 'Unauthorized');
      const secret = JSON.stringify({ auths: { [`http://${host}`]: { auth: Buffer.from('alice:s3cret').toString('base64') }, 'other.example': { username: 'x', password: 'y' } } });
      const auth = credentialsFor(`${host}/private:1`, [secret]);
      assert.ok(auth?.auth);
      const ref = await svc.pullImage(`${host}/private:1`, auth);
      assert.match(ref.id, /^sha256:/);
    } finally {
      authSrv.closeAllConnections();
      await new Promise((r) => authSrv.close(r));
    }
  });

  test('a blob whose content does not match its digest is refused', async () => {
    const layer = await stage({ f: 'real' });
    const layout = await writeOciLayout(await mkdtemp(join(dir, 'layout-')), { layers: [layer], config: {} });
    // Serve a manifest that claims a digest for the wrong bytes via a second blob's digest.
    const manifest = JSON.parse(await readFile(join(layout.layoutDir, 'blobs', 'sha256', layout.manifestDigest.slice(7)), 'utf8')) as { config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
    for (const d of [manifest.config.digest, manifest.layers[0]!.digest]) await pushBlob(registry, 'tamper', d, await readFile(join(layout.layoutDir, 'blobs', 'sha256', d.slice(7))));
    manifest.layers[0]!.size += 1;
    await pushManifest(registry, 'tamper', 'v1', JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }), 'application/vnd.oci.image.manifest.v1+json');
    const svc = new OciImageService(join(dir, 'node-tamper'));
    await assert.rejects(svc.pullImage(`${registry}/tamper:v1`), /size mismatch/);
    assert.deepEqual(await svc.listImages(), []);
  });
});
