/**
 * @module `skiff image import` end to end below the CLI parser: an OCI layout tar and a
 * docker-save tar (both made here) land in a node's image store under their names.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { imageMain } from '../../cli/commands/image-import.ts';
import { sha256, tarDirectory, writeOciLayout } from '../../../test/support/busybox-image.ts';
import { OciImageService } from './image-service.ts';
import { importImageArchive } from './import.ts';

const run = promisify(execFile);
let dir: string;

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk: Buffer, _e, cb) {
      w.text += chunk.toString();
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

async function stagedLayer(files: Record<string, string>): Promise<Buffer> {
  const root = await mkdtemp(join(dir, 'stage-'));
  for (const [p, c] of Object.entries(files)) {
    await mkdir(join(root, p, '..'), { recursive: true });
    await writeFile(join(root, p), c);
  }
  return tarDirectory(root);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skiff-import-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('image import', () => {
  test('an OCI layout tar, through `skiff image import`', async () => {
    const layout = await writeOciLayout(join(dir, 'layout'), { layers: [await stagedLayer({ 'hello.txt': 'hi' })], config: { Cmd: ['cat', '/hello.txt'] }, tag: '1.0' });
    // Name it the way containerd does, so the import needs no --name.
    const indexPath = join(layout.layoutDir, 'index.json');
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests: { annotations?: Record<string, string> }[] };
    index.manifests[0]!.annotations = { 'io.containerd.image.name': '127.0.0.1:5000/hello:1.0', 'org.opencontainers.image.ref.name': '1.0' };
    await writeFile(indexPath, JSON.stringify(index));
    const file = join(dir, 'hello-oci.tar');
    await run('tar', ['-C', layout.layoutDir, '-cf', file, '.']);

    const out = sink();
    const err = sink();
    const nodeDir = join(dir, 'node-a');
    const code = await imageMain(['import', file, '--node-dir', nodeDir], { importArchive: (f, d, n) => importImageArchive(new OciImageService(d), f, n) }, out, err);
    assert.equal(code, 0, err.text);
    assert.match(out.text, /unpacked 127\.0\.0\.1:5000\/hello:1\.0 \(sha256:/);
    const svc = new OciImageService(join(nodeDir, 'images'));
    const status = await svc.imageStatus('127.0.0.1:5000/hello:1.0');
    assert.equal(status?.id, layout.configDigest);
    const [top] = await svc.layerDirs(status!.id);
    assert.equal(await readFile(join(top!, 'hello.txt'), 'utf8'), 'hi');
    assert.deepEqual((await svc.imageConfig(status!.id)).Cmd, ['cat', '/hello.txt']);
  });

  test('a bare-tag layout entry takes --name', async () => {
    const layout = await writeOciLayout(join(dir, 'layout-bare'), { layers: [await stagedLayer({ f: '1' })], config: {}, tag: '2.0' });
    const file = join(dir, 'bare.tar');
    await run('tar', ['-C', layout.layoutDir, '-czf', file, '.']);
    const svc = new OciImageService(join(dir, 'node-b', 'images'));
    const [img] = await importImageArchive(svc, file, 'example.com/team/app');
    assert.deepEqual(img!.names, ['example.com/team/app:2.0']);
    assert.ok(await svc.imageStatus('example.com/team/app:2.0'));
  });

  test('a docker save tar', async () => {
    const root = join(dir, 'docker-save');
    const layer = await stagedLayer({ 'etc/os-release': 'NAME=test' });
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [sha256(layer)] } });
    const configName = `${sha256(config).slice(7)}.json`;
    await mkdir(join(root, 'abc'), { recursive: true });
    await writeFile(join(root, 'abc', 'layer.tar'), layer);
    await writeFile(join(root, configName), config);
    await writeFile(join(root, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: ['busybox:test'], Layers: ['abc/layer.tar'] }]));
    const file = join(dir, 'saved.tar');
    await run('tar', ['-C', root, '-cf', file, '.']);
    const svc = new OciImageService(join(dir, 'node-c', 'images'));
    const [img] = await importImageArchive(svc, file);
    assert.deepEqual(img!.names, ['docker.io/library/busybox:test']);
    assert.equal(img!.id, sha256(config));
    const status = await svc.imageStatus('busybox:test');
    assert.equal(status?.id, sha256(config));
    const [top] = await svc.layerDirs(status!.id);
    assert.equal(await readFile(join(top!, 'etc', 'os-release'), 'utf8'), 'NAME=test');
  });

  test('a tar that is neither is refused', async () => {
    const root = join(dir, 'junk');
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'x'), 'x');
    const file = join(dir, 'junk.tar');
    await run('tar', ['-C', root, '-cf', file, '.']);
    const err = sink();
    const code = await imageMain(['import', file, '--node-dir', join(dir, 'node-d')], { importArchive: (f, d) => importImageArchive(new OciImageService(d), f) }, sink(), err);
    assert.equal(code, 1);
    assert.match(err.text, /neither an OCI image layout/);
  });
});
