/**
 * `kubectl certificate approve|deny` (protobuf PUT of the approval subresource) on a
 * user's CSR: the signer issues a client certificate that then authenticates as that user.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type TestCluster } from '../support/server.ts';
import { eventually, kubectlFor } from '../support/kubectl.ts';

const csrFor = (name: string, request: string) =>
  JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 3600 },
  });

describe('kubectl certificate approve', () => {
  let c: TestCluster;
  let dir: string;
  before(async () => {
    c = await startCluster({ datastore: 'memory' });
    dir = await mkdtemp(join(tmpdir(), 'skiff-csr-'));
  });
  after(async () => {
    await c?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const newRequest = (cn: string): string => {
    execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, `${cn}.key`), '-subj', `/CN=${cn}/O=dev`, '-out', join(dir, `${cn}.csr`)], { stdio: 'ignore' });
    return execFileSync('base64', ['-w0', join(dir, `${cn}.csr`)]).toString();
  };

  it('approves a CSR, the signer issues a certificate that authenticates as its subject', async () => {
    await c.kubectl.ok(['create', '-f', '-'], { input: csrFor('jane', newRequest('jane')) });
    assert.match(await c.kubectl.ok(['get', 'csr', 'jane']), /Pending/);
    assert.match(await c.kubectl.ok(['certificate', 'approve', 'jane']), /certificatesigningrequest.certificates.k8s.io\/jane approved/);
    const cert = await eventually(async () => (await c.kubectl.ok(['get', 'csr', 'jane', '-o', 'jsonpath={.status.certificate}'])).trim() || undefined, 10_000, 'issued certificate');
    assert.match(await c.kubectl.ok(['get', 'csr', 'jane']), /Approved,Issued/);
    await writeFile(join(dir, 'jane.crt'), Buffer.from(cert, 'base64'));
    await writeFile(join(dir, 'ca.crt'), c.server.pki.ca.cert);
    const kubeconfig = join(dir, 'jane.kubeconfig');
    await writeFile(kubeconfig, [
      'apiVersion: v1', 'kind: Config',
      `clusters: [{name: skiff, cluster: {server: "${c.server.url}", certificate-authority: "${join(dir, 'ca.crt')}"}}]`,
      `users: [{name: jane, user: {client-certificate: "${join(dir, 'jane.crt')}", client-key: "${join(dir, 'jane.key')}"}}]`,
      'contexts: [{name: skiff, context: {cluster: skiff, user: jane}}]', 'current-context: skiff', '',
    ].join('\n'));
    const out = await kubectlFor(kubeconfig, dir).ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}']);
    assert.match(out, /^jane .*dev/);
    assert.match(await readFile(join(dir, 'jane.crt'), 'utf8'), /BEGIN CERTIFICATE/);
  });

  it('denies a CSR: no certificate is issued', async () => {
    await c.kubectl.ok(['create', '-f', '-'], { input: csrFor('bob', newRequest('bob')) });
    assert.match(await c.kubectl.ok(['certificate', 'deny', 'bob']), /denied/);
    assert.match(await c.kubectl.ok(['get', 'csr', 'bob']), /Denied/);
    assert.equal((await c.kubectl.ok(['get', 'csr', 'bob', '-o', 'jsonpath={.status.certificate}'])).trim(), '');
  });
});
