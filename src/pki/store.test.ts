import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateValidity } from './rotation.ts';
import { loadOrCreatePki, renewServerCertificates } from './store.ts';

const day = 24 * 3600 * 1000;

test('server certificates are reissued from the kept CA once less than a third of their life is left', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-pki-'));
  try {
    const pki = await loadOrCreatePki(dir, ['127.0.0.1', 'localhost'], { servingDays: 30, kubeletClientDays: 30 });
    const ca = pki.ca.cert;
    const serving = pki.serving.cert;
    // Fresh: nothing to do.
    assert.deepEqual(await renewServerCertificates(pki, ['127.0.0.1', 'localhost'], { servingDays: 30, kubeletClientDays: 30 }), []);
    // 21 days into a 30-day life: less than a third left.
    const later = Date.now() + 21 * day;
    assert.deepEqual((await renewServerCertificates(pki, ['127.0.0.1', 'localhost'], { servingDays: 30, kubeletClientDays: 30 }, later)).sort(), ['kubeletClient', 'serving']);
    assert.notEqual(pki.serving.cert, serving);
    assert.equal(pki.ca.cert, ca, 'the CA is kept');
    assert.equal(await readFile(join(dir, 'serving.crt'), 'utf8'), pki.serving.cert, 'written for the next start');
    const { notAfter } = certificateValidity(pki.serving.cert);
    assert.ok(notAfter.getTime() > Date.now() + 29 * day);
    // A restart loads what was written, and keeps it while it is fresh.
    const again = await loadOrCreatePki(dir, ['127.0.0.1', 'localhost'], { servingDays: 30, kubeletClientDays: 30 });
    assert.equal(again.serving.cert, pki.serving.cert);
    assert.equal(again.ca.cert, ca);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
