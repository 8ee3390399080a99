/**
 * @module Protocol tests of the built-in registry over real HTTP: uploads (monolithic, chunked,
 * out-of-order), manifests by tag and digest, discovery, deletion, and the spec's error codes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startRegistry, type RunningRegistry } from './listen.ts';

const sha = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

let reg: RunningRegistry;
let dir: string;
let base: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skiff-registry-'));
  reg = await startRegistry({ dir: join(dir, 'registry'), port: 0, host: '127.0.0.1' });
  base = `http://${reg.address}`;
});
after(async () => {
  await reg.close();
  await rm(dir, { recursive: true, force: true });
});

async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { errors: { code: string; message: string }[] };
  assert.equal(body.errors.length, 1);
  assert.equal(typeof body.errors[0]!.message, 'string');
  return body.errors[0]!.code;
}

async function pushBlob(name: string, data: Buffer): Promise<string> {
  const digest = sha(data);
  const res = await fetch(`${base}/v2/${name}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: data });
  assert.equal(res.status, 201);
  return digest;
}

function imageManifest(config: Buffer, layers: Buffer[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(l), size: l.length })),
    }),
  );
}

describe('registry protocol', () => {
  test('GET /v2/ answers 200 with the API version header', async () => {
    const res = await fetch(`${base}/v2/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
    assert.deepEqual(await res.json(), {});
  });

  test('monolithic upload, then HEAD and GET the blob; content is stored by digest', async () => {
    const data = Buffer.from('hello registry');
    const digest = await pushBlob('library/mono', data);
    const head = await fetch(`${base}/v2/library/mono/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(data.length));
    assert.equal(head.headers.get('docker-content-digest'), digest);
    const get = await fetch(`${base}/v2/library/mono/blobs/${digest}`);
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), data);
    assert.ok(existsSync(join(dir, 'registry', 'blobs', 'sha256', digest.slice(7))));
  });

  test('POST + one PATCH without Content-Range + PUT?digest (what skopeo sends)', async () => {
    const data = Buffer.from('x'.repeat(100_000));
    const post = await fetch(`${base}/v2/skopeo-style/blobs/uploads/`, { method: 'POST' });
    assert.equal(post.status, 202);
    const loc = post.headers.get('location')!;
    assert.match(loc, /^\/v2\/skopeo-style\/blobs\/uploads\/[0-9a-f-]{36}$/);
    const patch = await fetch(base + loc, { method: 'PATCH', body: data });
    assert.equal(patch.status, 202);
    assert.equal(patch.headers.get('range'), `0-${data.length - 1}`);
    const put = await fetch(`${base}${patch.headers.get('location')}?digest=${sha(data)}`, { method: 'PUT' });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('docker-content-digest'), sha(data));
    assert.equal(put.headers.get('location'), `/v2/skopeo-style/blobs/${sha(data)}`);
  });

  test('chunked upload in order; an out-of-order chunk gets 416', async () => {
    const a = Buffer.from('first-');
    const b = Buffer.from('second');
    const post = await fetch(`${base}/v2/chunked/blobs/uploads/`, { method: 'POST' });
    const loc = post.headers.get('location')!;
    const p1 = await fetch(base + loc, { method: 'PATCH', body: a, headers: { 'Content-Range': `0-${a.length - 1}`, 'Content-Type': 'application/octet-stream' } });
    assert.equal(p1.status, 202);
    const bad = await fetch(base + loc, { method: 'PATCH', body: b, headers: { 'Content-Range': `0-${b.length - 1}` } });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers.get('range'), `0-${a.length - 1}`);
    const p2 = await fetch(base + loc, { method: 'PATCH', body: b, headers: { 'Content-Range': `${a.length}-${a.length + b.length - 1}` } });
    assert.equal(p2.status, 202);
    const status = await fetch(base + loc);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), `0-${a.length + b.length - 1}`);
    const whole = Buffer.concat([a, b]);
    const put = await fetch(`${base}${loc}?digest=${sha(whole)}`, { method: 'PUT' });
    assert.equal(put.status, 201);
    const got = await fetch(`${base}/v2/chunked/blobs/${sha(whole)}`);
    assert.equal(await got.text(), 'first-second');
  });

  test('a wrong digest is DIGEST_INVALID and the upload is gone', async () => {
    const post = await fetch(`${base}/v2/bad/blobs/uploads/`, { method: 'POST' });
    const loc = post.headers.get('location')!;
    const put = await fetch(`${base}${loc}?digest=${sha('something else')}`, { method: 'PUT', body: 'content' });
    assert.equal(put.status, 400);
    assert.equal(await errorCode(put), 'DIGEST_INVALID');
    const again = await fetch(base + loc);
    assert.equal(again.status, 404);
    assert.equal(await errorCode(again), 'BLOB_UPLOAD_UNKNOWN');
    const malformed = await fetch(`${base}/v2/bad/blobs/uploads/?digest=sha256:xyz`, { method: 'POST', body: 'a' });
    assert.equal(await errorCode(malformed), 'DIGEST_INVALID');
  });

  test('unknown blob is BLOB_UNKNOWN; blobs of another repository are not visible', async () => {
    const res = await fetch(`${base}/v2/library/mono/blobs/${sha('nope')}`);
    assert.equal(res.status, 404);
    assert.equal(await errorCode(res), 'BLOB_UNKNOWN');
    const other = await fetch(`${base}/v2/other/blobs/${sha('hello registry')}`, { method: 'HEAD' });
    assert.equal(other.status, 404);
    // …but can be mounted from it.
    const mount = await fetch(`${base}/v2/other/blobs/uploads/?mount=${sha('hello registry')}&from=library/mono`, { method: 'POST' });
    assert.equal(mount.status, 201);
    assert.equal((await fetch(`${base}/v2/other/blobs/${sha('hello registry')}`, { method: 'HEAD' })).status, 200);
  });

  test('invalid repository name is NAME_INVALID', async () => {
    const res = await fetch(`${base}/v2/Bad_Name/tags/list`);
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'NAME_INVALID');
  });

  test('manifests by tag and digest, tags/list, _catalog, delete', async () => {
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    const layer = Buffer.from('layer bytes');
    const manifest = imageManifest(config, [layer]);
    const type = 'application/vnd.oci.image.manifest.v1+json';

    const missing = await fetch(`${base}/v2/app/manifests/v1`, { method: 'PUT', body: manifest, headers: { 'Content-Type': type } });
    assert.equal(missing.status, 400);
    assert.equal(await errorCode(missing), 'MANIFEST_BLOB_UNKNOWN');

    await pushBlob('app', config);
    await pushBlob('app', layer);
    const put = await fetch(`${base}/v2/app/manifests/v1`, { method: 'PUT', body: manifest, headers: { 'Content-Type': type } });
    assert.equal(put.status, 201);
    const digest = put.headers.get('docker-content-digest')!;
    assert.equal(digest, sha(manifest));

    for (const ref of ['v1', digest]) {
      const get = await fetch(`${base}/v2/app/manifests/${ref}`, { headers: { Accept: type } });
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('content-type'), type);
      assert.equal(get.headers.get('docker-content-digest'), digest);
      assert.deepEqual(Buffer.from(await get.arrayBuffer()), manifest);
    }
    const head = await fetch(`${base}/v2/app/manifests/v1`, { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), String(manifest.length));

    const byDigest = await fetch(`${base}/v2/app/manifests/${sha('other')}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': type } });
    assert.equal(await errorCode(byDigest), 'DIGEST_INVALID');
    const invalid = await fetch(`${base}/v2/app/manifests/v2`, { method: 'PUT', body: '{not json', headers: { 'Content-Type': type } });
    assert.equal(await errorCode(invalid), 'MANIFEST_INVALID');

    await fetch(`${base}/v2/app/manifests/latest`, { method: 'PUT', body: manifest, headers: { 'Content-Type': type } });
    assert.deepEqual(await (await fetch(`${base}/v2/app/tags/list`)).json(), { name: 'app', tags: ['latest', 'v1'] });
    const page = await fetch(`${base}/v2/app/tags/list?n=1`);
    assert.deepEqual(await page.json(), { name: 'app', tags: ['latest'] });
    assert.match(page.headers.get('link')!, /last=latest.*rel="next"/);
    const catalog = (await (await fetch(`${base}/v2/_catalog`)).json()) as { repositories: string[] };
    assert.ok(catalog.repositories.includes('app'));

    const unknownTag = await fetch(`${base}/v2/app/manifests/nope`);
    assert.equal(unknownTag.status, 404);
    assert.equal(await errorCode(unknownTag), 'MANIFEST_UNKNOWN');
    const unknownRepo = await fetch(`${base}/v2/never/pushed/manifests/v1`);
    assert.equal(await errorCode(unknownRepo), 'NAME_UNKNOWN');
    assert.equal(await errorCode(await fetch(`${base}/v2/never/pushed/tags/list`)), 'NAME_UNKNOWN');

    const del = await fetch(`${base}/v2/app/manifests/${digest}`, { method: 'DELETE' });
    assert.equal(del.status, 202);
    assert.equal((await fetch(`${base}/v2/app/manifests/v1`)).status, 404);
    assert.deepEqual(await (await fetch(`${base}/v2/app/tags/list`)).json(), { name: 'app', tags: [] });
  });

  test('an index must refer to manifests the repository has', async () => {
    const type = 'application/vnd.oci.image.index.v1+json';
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: type,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha('absent'), size: 6, platform: { os: 'linux', architecture: 'amd64' } }],
    });
    const res = await fetch(`${base}/v2/multi/manifests/v1`, { method: 'PUT', body: index, headers: { 'Content-Type': type } });
    assert.equal(await errorCode(res), 'MANIFEST_BLOB_UNKNOWN');
  });

  test('unsupported method is UNSUPPORTED; unknown path is 404', async () => {
    const res = await fetch(`${base}/v2/app/tags/list`, { method: 'DELETE' });
    assert.equal(res.status, 405);
    assert.equal(await errorCode(res), 'UNSUPPORTED');
    assert.equal((await fetch(`${base}/nothing`)).status, 404);
  });
});
