import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { createCA, issueCert } from './certs.ts';
import { effectiveValidity, lessThanThirdLeft, nextRotationDeadline, runRotation, thirdLeftAt, type Validity } from './rotation.ts';
import { createListener, setServingCertificate } from '../apiserver/listener.ts';
import { httpsTransport } from '../client/https-transport.ts';
import { silentLogger } from '../util/log.ts';

const v: Validity = { notBefore: new Date(0), notAfter: new Date(1_000_000) };

test('rotation deadline is 70% of the lifetime plus up to 20% of that (client-go jitter)', () => {
  assert.equal(nextRotationDeadline(v, () => 0).getTime(), 700_000);
  assert.equal(nextRotationDeadline(v, () => 1).getTime(), 840_000);
  assert.equal(nextRotationDeadline(v, () => 0.5).getTime(), 770_000);
  for (let i = 0; i < 100; i++) {
    const t = nextRotationDeadline(v).getTime();
    assert.ok(t >= 700_000 && t <= 840_000, String(t));
  }
});

test('a backdated notBefore counts from when the certificate was obtained', () => {
  const backdated: Validity = { notBefore: new Date(0), notAfter: new Date(320_000) };
  const eff = effectiveValidity(backdated, new Date(300_000));
  assert.equal(eff.notBefore.getTime(), 300_000);
  assert.equal(nextRotationDeadline(eff, () => 0).getTime(), 314_000);
  // An obtainedAt outside the validity is ignored.
  assert.equal(effectiveValidity(backdated, new Date(400_000)).notBefore.getTime(), 0);
});

test('the server renews when less than a third of the lifetime is left', () => {
  assert.equal(thirdLeftAt({ notBefore: new Date(0), notAfter: new Date(300) }).getTime(), 200);
  assert.equal(lessThanThirdLeft(v, 600_000), false);
  assert.equal(lessThanThirdLeft(v, 700_000), true);
});

test('runRotation renews before expiry, retries failures, and stops on abort', async () => {
  const ca = await createCA('rot-ca');
  const short = () => issueCert(ca, { commonName: 'x', usage: 'client', days: 1.5 / 86400 });
  const first = await short();
  const ctl = new AbortController();
  const applied: string[] = [];
  let calls = 0;
  const done = runRotation({
    name: 'test',
    current: { cert: first.cert, obtainedAt: new Date() },
    async renew() {
      if (++calls === 1) throw new Error('transient');
      return short();
    },
    apply: (p) => void applied.push(p.cert),
    logger: silentLogger,
    signal: ctl.signal,
    retryMs: 50,
  });
  const deadline = Date.now() + 10_000;
  while (applied.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  ctl.abort();
  await done;
  assert.ok(applied.length >= 2, `rotated ${applied.length} times`);
  assert.notEqual(applied[0], first.cert);
  assert.ok(calls >= 3);
});

/** The serial of the certificate a TLS server presents now. */
function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      resolve(s.getPeerCertificate().serialNumber);
      s.end();
    });
    s.on('error', reject);
  });
}

test('listener and transport swap certificates on a live connection pair', async () => {
  const ca = await createCA('swap-ca');
  const srv1 = await issueCert(ca, { commonName: 'srv1', usage: 'server', sans: ['localhost', '127.0.0.1'] });
  const srv2 = await issueCert(ca, { commonName: 'srv2', usage: 'server', sans: ['localhost', '127.0.0.1'] });
  const alice = await issueCert(ca, { commonName: 'alice', usage: 'client' });
  const bob = await issueCert(ca, { commonName: 'bob', usage: 'client' });
  const server = createListener({ cert: srv1.cert, key: srv1.key, clientCA: ca.cert, logger: silentLogger }, async (req) => ({
    status: 200,
    headers: { 'content-type': 'text/plain' },
    body: Buffer.from(req.peer?.kind === 'certificate' ? req.peer.commonName : 'anonymous'),
  }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const t = httpsTransport({ server: `https://127.0.0.1:${port}`, ca: ca.cert, cert: alice.cert, key: alice.key, insecureSkipTLSVerify: false });
  const who = async () => {
    const res = await t.request({ method: 'GET', path: '/whoami', headers: {} });
    const chunks: Uint8Array[] = [];
    for await (const c of res.body) chunks.push(c);
    return Buffer.concat(chunks).toString();
  };
  try {
    const serial = (pem: string) => new X509Certificate(pem).serialNumber;
    assert.equal(await servedSerial(port, ca.cert), serial(srv1.cert));
    assert.equal(await who(), 'alice');
    setServingCertificate(server, { cert: srv2.cert, key: srv2.key, clientCA: ca.cert });
    t.setClientCertificate(bob.cert, bob.key);
    assert.equal(await servedSerial(port, ca.cert), serial(srv2.cert));
    // The kept-alive connection that authenticated alice is gone: bob is who connects now.
    assert.equal(await who(), 'bob');
  } finally {
    t.close();
    server.close();
    server.closeAllConnections();
  }
});
