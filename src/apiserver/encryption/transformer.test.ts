import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { aesCbcProvider, aesGcmProvider, identityProvider, prefixTransformer } from './transformer.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const plain = enc.encode('{"data":{"password":"aHVudGVyMg=="}}');

describe('prefix transformer', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('seals with the first aesgcm key under its prefix and opens it again', () => {
    const t = prefixTransformer([aesGcmProvider('key1', k1), identityProvider]);
    const stored = t.toStorage(plain, '/registry/core/secrets/default/s');
    assert.ok(dec.decode(stored).startsWith('k8s:enc:aesgcm:v1:key1:'));
    assert.ok(!Buffer.from(stored).includes(Buffer.from('aHVudGVyMg==')));
    assert.notDeepEqual(stored, t.toStorage(plain, '/registry/core/secrets/default/s'), 'a fresh nonce per write');
    const back = t.fromStorage(stored, '/registry/core/secrets/default/s');
    assert.deepEqual(dec.decode(back.data), dec.decode(plain));
    assert.equal(back.stale, false);
  });

  it('binds a value to its key: moved to another key it does not decrypt', () => {
    const t = prefixTransformer([aesGcmProvider('key1', k1)]);
    const stored = t.toStorage(plain, '/registry/core/secrets/default/a');
    assert.throws(() => t.fromStorage(stored, '/registry/core/secrets/default/b'), /failed to decrypt/);
  });

  it('reads through a later key or identity as stale (rotation)', () => {
    const old = prefixTransformer([aesGcmProvider('key1', k1), identityProvider]);
    const rotated = prefixTransformer([aesGcmProvider('key2', k2), aesGcmProvider('key1', k1), identityProvider]);
    const r = rotated.fromStorage(old.toStorage(plain, 'k'), 'k');
    assert.equal(dec.decode(r.data), dec.decode(plain));
    assert.equal(r.stale, true);
    const legacy = rotated.fromStorage(plain, 'k');
    assert.equal(legacy.stale, true);
    assert.equal(dec.decode(legacy.data), dec.decode(plain));
  });

  it('refuses plaintext without identity and encrypted data with an unknown key', () => {
    const only2 = prefixTransformer([aesGcmProvider('key2', k2)]);
    assert.throws(() => only2.fromStorage(plain, 'k'), /no matching prefix/);
    const by1 = prefixTransformer([aesGcmProvider('key1', k1)]).toStorage(plain, 'k');
    assert.throws(() => prefixTransformer([aesGcmProvider('key2', k2), identityProvider]).fromStorage(by1, 'k'), /identity transformer tried to read encrypted data/);
  });

  it('identity first writes plaintext; aescbc round trips', () => {
    const t = prefixTransformer([identityProvider, aesCbcProvider('c', k1)]);
    assert.deepEqual(t.toStorage(plain, 'k'), plain);
    const cbc = prefixTransformer([aesCbcProvider('c', k1)]);
    const s = cbc.toStorage(plain, 'k');
    assert.ok(dec.decode(s).startsWith('k8s:enc:aescbc:v1:c:'));
    assert.equal(dec.decode(cbc.fromStorage(s, 'k').data), dec.decode(plain));
  });

  it('rejects keys of the wrong size', () => {
    assert.throws(() => aesGcmProvider('k', randomBytes(10)), /16, 24 or 32 bytes/);
  });
});
