import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCA, issueCert, certificateSans } from './certs.ts';

test('CA signs serving and client certificates that node verifies', async () => {
  const ca = await createCA('test-ca');
  const serving = await issueCert(ca, { commonName: 'srv', usage: 'server', sans: ['localhost', '127.0.0.1'] });
  const client = await issueCert(ca, { commonName: 'alice', organizations: ['devs', 'system:masters'], usage: 'client' });
  const caX = new X509Certificate(ca.cert);
  const srvX = new X509Certificate(serving.cert);
  const cliX = new X509Certificate(client.cert);
  assert.ok(caX.ca);
  assert.ok(srvX.verify(caX.publicKey));
  assert.ok(cliX.verify(caX.publicKey));
  assert.ok(srvX.checkIP('127.0.0.1'));
  assert.ok(srvX.checkHost('localhost'));
  assert.deepEqual(certificateSans(serving.cert).sort(), ['127.0.0.1', 'localhost']);
  assert.match(cliX.subject, /CN=alice/);
  assert.match(cliX.subject, /O=devs/);
});
