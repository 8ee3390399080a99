/**
 * @module Live swap of the kubelet endpoint's serving certificate over real TLS: after
 * `swapServingCertificate` new handshakes present the new certificate, a connection opened
 * before keeps the old one, and client-certificate authentication still works (the client CA
 * is part of the swapped context).
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { createCA, issueCert, type KeyPairPem } from '../../pki/certs.ts';
import { silentLogger } from '../../util/log.ts';
import { KubeletServer, swapServingCertificate } from './server.ts';

describe('kubelet serving certificate swap', () => {
  let ca: KeyPairPem, apiserver: KeyPairPem, first: KeyPairPem, second: KeyPairPem, dir: string, port: number;
  const ctl = new AbortController();
  const open: TLSSocket[] = [];

  const handshake = () =>
    new Promise<TLSSocket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, ca: ca.cert, cert: apiserver.cert, key: apiserver.key, servername: 'node-a' }, () => resolve(s));
      s.on('error', reject);
      open.push(s);
    });
  const healthz = () =>
    new Promise<number>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, path: '/healthz', cert: apiserver.cert, key: apiserver.key, ca: ca.cert, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      r.on('error', reject);
      r.end();
    });
  const serial = (pem: string, s: TLSSocket) => ({ peer: s.getPeerCertificate().serialNumber, pem: new X509Certificate(pem).serialNumber });

  before(async () => {
    ca = await createCA('ca');
    apiserver = await issueCert(ca, { commonName: 'kube-apiserver-kubelet-client', usage: 'client' });
    first = await issueCert(ca, { commonName: 'system:node:node-a', usage: 'server', sans: ['127.0.0.1', 'node-a'] });
    second = await issueCert(ca, { commonName: 'system:node:node-a', usage: 'server', sans: ['127.0.0.1', 'node-a'] });
    dir = await mkdtemp(join(tmpdir(), 'kubelet-swap-'));
    const server = new KubeletServer({ cert: first.cert, key: first.key, clientCA: ca.cert, port: 0, address: '127.0.0.1', agentDir: dir, logger: silentLogger, getPod: () => undefined });
    port = await server.start(ctl.signal);
  });
  after(async () => {
    for (const s of open) s.destroy();
    ctl.abort();
    await rm(dir, { recursive: true, force: true });
  });

  it('new handshakes get the new certificate, open connections keep theirs', async () => {
    const before = await handshake();
    const s0 = serial(first.cert, before);
    assert.equal(s0.peer, s0.pem);
    assert.equal(await healthz(), 200);

    assert.equal(swapServingCertificate(second.cert, first), 0, 'only the endpoint serving the given certificate is swapped');
    assert.equal(swapServingCertificate(first.cert, second), 1);

    const afterSwap = await handshake();
    const s1 = serial(second.cert, afterSwap);
    assert.equal(s1.peer, s1.pem);
    assert.notEqual(s1.peer, s0.peer);
    assert.equal(serial(first.cert, before).peer, s0.peer, 'the open connection still has the old certificate');
    assert.equal(await healthz(), 200, 'client certificates are still verified against the client CA');
    // Swapping again from the old certificate finds nothing: the endpoint now serves the new one.
    assert.equal(swapServingCertificate(first.cert, second), 0);
  });
});
