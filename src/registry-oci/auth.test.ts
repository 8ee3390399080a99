/**
 * @module Basic authentication of the built-in registry: every endpoint challenges without
 * credentials, listed users (plain and `{SHA}` entries) get through, and the node's image
 * service pulls only with the credentials a pull secret would give it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tarDirectory, writeOciLayout } from '../../test/support/busybox-image.ts';
import { OciImageService } from '../kubelet/images/image-service.ts';
import { ImagePullError } from '../kubelet/images/registry-client.ts';
import { pushLayout } from '../kubelet/images/testing.ts';
import { parseHtpasswd } from './auth.ts';
import { startRegistry, type RunningRegistry } from './listen.ts';

let dir: string;
let open: RunningRegistry;
let locked: RunningRegistry;
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skiff-registry-auth-'));
  const sha = '{SHA}' + createHash('sha1').update('s3cret').digest('base64');
  await writeFile(join(dir, 'htpasswd'), `# users\nalice:plainpw\nbob:${sha}\n`);
  // One content folder, served twice: open for the test's pushes, locked for the pulls.
  open = await startRegistry({ dir: join(dir, 'registry'), port: 0, host: '127.0.0.1' });
  locked = await startRegistry({ dir: join(dir, 'registry'), port: 0, host: '127.0.0.1', htpasswdFile: join(dir, 'htpasswd') });
  const root = join(dir, 'layer');
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'hello.txt'), 'hi');
  const layout = await writeOciLayout(join(dir, 'layout'), { layers: [await tarDirectory(root)], config: { Cmd: ['sh'] }, architecture: 'amd64' });
  await pushLayout(layout.layoutDir, open.address, 'private', '1');
});
after(async () => {
  await open?.close();
  await locked?.close();
  await rm(dir, { recursive: true, force: true });
});

test('without valid credentials every endpoint is 401 UNAUTHORIZED with a Basic challenge', async () => {
  for (const [path, auth] of [['/v2/', undefined], ['/v2/private/manifests/1', undefined], ['/v2/private/tags/list', basic('alice', 'wrong')], ['/v2/_catalog', basic('nobody', 'x')]] as const) {
    const res = await fetch(`http://${locked.address}${path}`, { headers: auth ? { Authorization: auth } : {} });
    assert.equal(res.status, 401, path);
    assert.equal(res.headers.get('www-authenticate'), 'Basic realm="skiff-registry"');
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
    assert.equal(((await res.json()) as { errors: { code: string }[] }).errors[0]!.code, 'UNAUTHORIZED');
  }
});

test('plain and {SHA} users get through', async () => {
  for (const auth of [basic('alice', 'plainpw'), basic('bob', 's3cret')]) {
    const res = await fetch(`http://${locked.address}/v2/private/tags/list`, { headers: { Authorization: auth } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { name: 'private', tags: ['1'] });
  }
});

test('the node pulls only with credentials', async () => {
  const svc = new OciImageService(join(dir, 'node'));
  const image = `${locked.address}/private:1`;
  await assert.rejects(svc.pullImage(image), (e: unknown) => e instanceof ImagePullError && e.code === 'Unauthorized');
  await assert.rejects(svc.pullImage(image, { username: 'bob', password: 'nope' }), (e: unknown) => e instanceof ImagePullError && e.code === 'Unauthorized');
  const ref = await svc.pullImage(image, { auth: Buffer.from('bob:s3cret').toString('base64') });
  assert.match(ref.id, /^sha256:[0-9a-f]{64}$/);
});

test('htpasswd parsing refuses bcrypt and malformed lines', () => {
  assert.throws(() => parseHtpasswd('carol:$2y$05$abcdefghijklmnopqrstuv'), /bcrypt/);
  assert.throws(() => parseHtpasswd('no-colon'), /malformed/);
  assert.equal(parseHtpasswd('\n# c\nx:y\n').users.get('x'), 'y');
});
