/** @module Unit tests of {@link pullSecretAuth}: secret types, missing secrets, host matching. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, Secret } from 'kubernetes-types/core/v1.js';
import { pullSecretAuth } from './pull-secrets.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secrets: Record<string, Secret> = {
  'ns/reg': { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { '127.0.0.1:5000': { username: 'alice', password: 'pw' } } })) } },
  'ns/old': { type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64(JSON.stringify({ 'other.example:443': { auth: b64('bob:x') } })) } },
  'ns/opaque': { type: 'Opaque', data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { '127.0.0.1:5000': { username: 'mallory', password: 'no' } } })) } },
};
const get = async (ns: string, name: string) => secrets[`${ns}/${name}`];
const pod = (...names: string[]): Pod => ({ metadata: { namespace: 'ns' }, spec: { containers: [], imagePullSecrets: names.map((name) => ({ name })) } });

test('credentials of a dockerconfigjson secret for its registry host', async () => {
  assert.deepEqual(await pullSecretAuth(pod('missing', 'reg'), '127.0.0.1:5000/busybox:1.36', get), { username: 'alice', password: 'pw' });
});

test('dockercfg secrets count, other hosts and Opaque secrets do not', async () => {
  assert.deepEqual(await pullSecretAuth(pod('old'), 'other.example:443/a/b', get), { auth: b64('bob:x') });
  assert.equal(await pullSecretAuth(pod('reg'), 'elsewhere.example/busybox', get), undefined);
  assert.equal(await pullSecretAuth(pod('opaque'), '127.0.0.1:5000/busybox', get), undefined);
  assert.equal(await pullSecretAuth(pod(), '127.0.0.1:5000/busybox', get), undefined);
});
