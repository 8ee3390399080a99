/**
 * @module Image reference parsing and dockerconfigjson credential matching.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentialsFor } from './docker-config.ts';
import { isInsecureRegistry, normalizedName, parseReference, registryBaseUrl } from './reference.ts';

test('references normalise the Docker way', () => {
  assert.equal(normalizedName(parseReference('busybox')), 'docker.io/library/busybox:latest');
  assert.equal(normalizedName(parseReference('user/app:1')), 'docker.io/user/app:1');
  assert.equal(normalizedName(parseReference('127.0.0.1:5000/busybox:1.36')), '127.0.0.1:5000/busybox:1.36');
  assert.equal(normalizedName(parseReference('localhost/a/b')), 'localhost/a/b:latest');
  const d = 'sha256:' + 'a'.repeat(64);
  assert.deepEqual(parseReference(`127.0.0.1:5000/x:1@${d}`), { registry: '127.0.0.1:5000', repository: 'x', tag: '1', digest: d });
  assert.equal(normalizedName(parseReference(`127.0.0.1:5000/x@${d}`)), `127.0.0.1:5000/x@${d}`);
  assert.throws(() => parseReference('Upper/Case'), /bad repository/);
  assert.throws(() => parseReference('x@sha256:short'), /bad digest/);
  assert.equal(registryBaseUrl('127.0.0.1:5000'), 'http://127.0.0.1:5000');
  assert.equal(registryBaseUrl('docker.io'), 'https://registry-1.docker.io');
  assert.equal(registryBaseUrl('ghcr.io'), 'https://ghcr.io');
  assert.ok(isInsecureRegistry('localhost:5000') && !isInsecureRegistry('10.0.0.1:5000'));
});

test('dockerconfigjson credentials match by host, port, path and glob', () => {
  const cfg = JSON.stringify({
    auths: {
      'https://index.docker.io/v1/': { username: 'hub', password: 'p' },
      '127.0.0.1:5000': { auth: Buffer.from('local:pw').toString('base64') },
      '*.example.com': { username: 'glob', password: 'g' },
      'reg.example.com/team': { username: 'team', password: 't' },
    },
  });
  assert.equal(credentialsFor('busybox', [cfg])?.username, 'hub');
  assert.equal(credentialsFor('127.0.0.1:5000/app', [cfg])?.auth, Buffer.from('local:pw').toString('base64'));
  assert.equal(credentialsFor('127.0.0.1:5001/app', [cfg]), undefined);
  assert.equal(credentialsFor('reg.example.com/other/app', [cfg])?.username, 'glob');
  assert.equal(credentialsFor('reg.example.com/team/app', [cfg])?.username, 'team');
  assert.equal(credentialsFor('quay.io/x', [cfg]), undefined);
  assert.equal(credentialsFor('quay.io/x', ['not json']), undefined);
});
