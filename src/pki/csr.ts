/**
 * @module Certificate signing requests for a client identity: a fresh ECDSA P-256 key and a
 * PKCS#10 request whose subject carries the user (CN) and groups (O), as a kubelet makes
 * for `system:node:<name>` / `system:nodes`; with subject alternative names for a serving
 * certificate (the kubelet endpoint's addresses and name).
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function createClientCsr(commonName: string, organizations: string[], sans: string[] = []): Promise<{ csr: string; key: string }> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const esc = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1');
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [...organizations.map((o) => `O=${esc(o)}`), `CN=${esc(commonName)}`].join(', '),
    keys,
    signingAlgorithm: alg,
    ...(sans.length ? { extensions: [new x509.SubjectAlternativeNameExtension(sans.map((s) => (isIP(s) ? { type: 'ip' as const, value: s } : { type: 'dns' as const, value: s })))] } : {}),
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return { csr: req.toString('pem') + '\n', key: `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n` };
}

/** When a PEM certificate stops being valid. */
export function certificateExpiry(pem: string): Date {
  return new x509.X509Certificate(pem).notAfter;
}
