/**
 * @module Value transformers between the generic registry and storage, as upstream's
 * `k8s.io/apiserver/pkg/storage/value`: each provider prefixes what it writes
 * (`k8s:enc:aesgcm:v1:<key>:`), the first provider of a resource encrypts, every provider
 * decrypts data carrying its prefix, and identity reads unprefixed (legacy plaintext) data.
 * A read through any provider but the first is "stale": a rewrite re-encrypts it.
 */
import { createCipheriv, createDecipheriv, randomBytes, type CipherGCMTypes } from 'node:crypto';

/** What a transformer gives back on read: the plaintext and whether a rewrite would change it. */
export interface ReadResult {
  data: Uint8Array;
  stale: boolean;
}

export interface Transformer {
  /** `context` is the storage key, authenticated (not encrypted) so values cannot be swapped. */
  toStorage(data: Uint8Array, context: string): Uint8Array;
  fromStorage(data: Uint8Array, context: string): ReadResult;
}

/** One provider entry of a resource, with the prefix its values carry ('' for identity). */
export interface Provider {
  prefix: string;
  seal(data: Uint8Array, context: string): Uint8Array;
  open(data: Uint8Array, context: string): Uint8Array;
}

const enc = new TextEncoder();

export const identityProvider: Provider = {
  prefix: '',
  seal: (d) => d,
  open: (d) => d,
};

/** AES-GCM with a random 12-byte nonce per write: nonce ‖ ciphertext ‖ 16-byte tag. */
export function aesGcmProvider(name: string, key: Buffer): Provider {
  checkAesKey(key, 'aesgcm', name);
  const algo = `aes-${key.length * 8}-gcm` as CipherGCMTypes;
  return {
    prefix: `k8s:enc:aesgcm:v1:${name}:`,
    seal(data, context) {
      const nonce = randomBytes(12);
      const c = createCipheriv(algo, key, nonce);
      c.setAAD(enc.encode(context));
      const body = Buffer.concat([c.update(data), c.final()]);
      return Buffer.concat([nonce, body, c.getAuthTag()]);
    },
    open(data, context) {
      if (data.length < 12 + 16) throw new Error('the stored data was shorter than the required size');
      const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const d = createDecipheriv(algo, key, buf.subarray(0, 12));
      d.setAAD(enc.encode(context));
      d.setAuthTag(buf.subarray(buf.length - 16));
      return Buffer.concat([d.update(buf.subarray(12, buf.length - 16)), d.final()]);
    },
  };
}

/** AES-CBC with PKCS#7 padding and a random IV: iv ‖ ciphertext (upstream: not recommended). */
export function aesCbcProvider(name: string, key: Buffer): Provider {
  checkAesKey(key, 'aescbc', name);
  const algo = `aes-${key.length * 8}-cbc` as const;
  return {
    prefix: `k8s:enc:aescbc:v1:${name}:`,
    seal(data) {
      const iv = randomBytes(16);
      const c = createCipheriv(algo, key, iv);
      return Buffer.concat([iv, c.update(data), c.final()]);
    },
    open(data) {
      const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      if (buf.length < 32 || buf.length % 16 !== 0) throw new Error('the stored data is not a multiple of the block size');
      const d = createDecipheriv(algo, key, buf.subarray(0, 16));
      return Buffer.concat([d.update(buf.subarray(16)), d.final()]);
    },
  };
}

function checkAesKey(key: Buffer, kind: string, name: string): void {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32)
    throw new Error(`${kind} key "${name}": must be 16, 24 or 32 bytes, got ${key.length}`);
}

function hasPrefix(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

const encryptedMarker = enc.encode('k8s:enc:');

/** Upstream's prefix transformer over an ordered provider list. */
export function prefixTransformer(providers: Provider[]): Transformer {
  if (providers.length === 0) throw new Error('an encryption resource needs at least one provider');
  const entries = providers.map((p) => ({ p, prefix: enc.encode(p.prefix) }));
  const first = entries[0]!;
  return {
    toStorage(data, context) {
      const sealed = first.p.seal(data, context);
      if (!first.prefix.length) return sealed;
      const out = new Uint8Array(first.prefix.length + sealed.length);
      out.set(first.prefix, 0);
      out.set(sealed, first.prefix.length);
      return out;
    },
    fromStorage(data, context) {
      const errors: string[] = [];
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        if (e.prefix.length === 0) {
          // Identity reads only what no provider wrote (upstream refuses encrypted data here).
          if (hasPrefix(data, encryptedMarker)) {
            errors.push('identity transformer tried to read encrypted data');
            continue;
          }
          return { data, stale: i !== 0 };
        }
        if (!hasPrefix(data, e.prefix)) continue;
        try {
          return { data: e.p.open(data.subarray(e.prefix.length), context), stale: i !== 0 };
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
      throw new Error(errors.length ? `failed to decrypt data: ${errors.join('; ')}` : 'no matching prefix found');
    },
  };
}
