import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadOrCreateEncryptionConfig, parseEncryptionConfig } from './config.ts';

const key = randomBytes(32).toString('base64');
const yaml = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets, deployments.apps]
    providers:
      - aesgcm:
          keys: [{ name: k1, secret: ${key} }]
      - identity: {}
  - resources: ['*.batch']
    providers:
      - aescbc:
          keys: [{ name: c1, secret: ${key} }]
`;

describe('EncryptionConfiguration', () => {
  it('maps resources (exact and group wildcard) to transformers; others stay untransformed', () => {
    const f = parseEncryptionConfig(yaml);
    assert.ok(f({ group: '', resource: 'secrets' }));
    assert.ok(f({ group: 'apps', resource: 'deployments' }));
    assert.ok(f({ group: 'batch', resource: 'jobs' }));
    assert.equal(f({ group: '', resource: 'configmaps' }), undefined);
    const t = f({ group: 'batch', resource: 'jobs' })!;
    assert.ok(new TextDecoder().decode(t.toStorage(new Uint8Array([1]), 'k')).startsWith('k8s:enc:aescbc:v1:c1:'));
  });

  it('rejects a wrong kind, missing keys and unsupported providers', () => {
    assert.throws(() => parseEncryptionConfig('kind: Foo'), /EncryptionConfiguration/);
    assert.throws(() => parseEncryptionConfig(yaml.replace(`keys: [{ name: k1, secret: ${key} }]`, 'keys: []')), /at least one key/);
    assert.throws(() => parseEncryptionConfig(yaml.replace('- identity: {}', '- kms: { name: x }')), /not supported/);
  });

  it('writes a default config with a random key, mode 0600, once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-encfg-'));
    try {
      const path = join(dir, 'tls', 'encryption-config.yaml');
      const f = await loadOrCreateEncryptionConfig(path);
      assert.ok(f({ group: '', resource: 'secrets' }));
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      const first = await readFile(path, 'utf8');
      assert.match(first, /aesgcm/);
      assert.match(first, /identity/);
      await loadOrCreateEncryptionConfig(path);
      assert.equal(await readFile(path, 'utf8'), first, 'an existing key is never replaced');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
