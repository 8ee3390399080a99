import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadKubeconfig, parseKubeconfig } from './kubeconfig.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('reads the current context with inline data', async () => {
  const text = stringify({
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64('CA PEM') } }],
    users: [{ name: 'u', user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'team' } }],
    'current-context': 'x',
  });
  const c = await parseKubeconfig(text, '/nowhere/config');
  assert.deepEqual(c, { server: 'https://127.0.0.1:6443', ca: 'CA PEM', cert: 'CERT', key: 'KEY', token: undefined, insecureSkipTLSVerify: false, tlsServerName: undefined, namespace: 'team', context: 'x' });
});

test('reads files relative to the kubeconfig, tokens, and a named context', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-kubeconfig-'));
  try {
    await writeFile(join(dir, 'ca.crt'), 'FILE CA');
    await writeFile(join(dir, 'token'), 'secret-token\n');
    const path = join(dir, 'config');
    await writeFile(
      path,
      stringify({
        clusters: [{ name: 'c', cluster: { server: 'https://h:1', 'certificate-authority': 'ca.crt', 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'u', user: { tokenFile: 'token' } }, { name: 'v', user: { token: 'inline' } }],
        contexts: [
          { name: 'a', context: { cluster: 'c', user: 'u' } },
          { name: 'b', context: { cluster: 'c', user: 'v' } },
        ],
        'current-context': 'a',
      }),
    );
    const a = await loadKubeconfig(path);
    assert.equal(a.ca, 'FILE CA');
    assert.equal(a.token, 'secret-token');
    assert.equal(a.insecureSkipTLSVerify, true);
    assert.equal((await loadKubeconfig(path, { context: 'b' })).token, 'inline');
    await assert.rejects(loadKubeconfig(path, { context: 'nope' }), /no context named "nope"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
