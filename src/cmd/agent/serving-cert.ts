/**
 * @module The kubelet endpoint's serving certificate for an agent that was given none
 * (`--tls-cert-file`): the node asks for one itself through a CertificateSigningRequest with
 * signer `kubernetes.io/kubelet-serving` (subject `system:node:<name>` / `system:nodes`, the
 * node's IP and name as subject alternative names), as a kubelet with `serverTLSBootstrap`.
 * Kept in the agent's data dir and reused while it is valid for another day and still names
 * the same addresses; the API server trusts it because the cluster CA signs it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { Client } from '../../client/rest.ts';
import { certificateExpiry, createClientCsr } from '../../pki/csr.ts';
import type { Logger } from '../../util/log.ts';
import { submitCsr } from './join.ts';

const dayMs = 24 * 3600 * 1000;

function namesOf(pem: string): string[] {
  const ext = new x509.X509Certificate(pem).getExtension(x509.SubjectAlternativeNameExtension);
  return (ext?.names.items ?? []).map((n) => n.value).sort();
}

export async function servingCertificate(o: { client: Client; node: string; sans: string[]; dataDir: string; logger: Logger; signal?: AbortSignal }): Promise<{ cert: string; key: string }> {
  const dir = join(o.dataDir, 'pki');
  const certPath = join(dir, 'kubelet-serving.crt');
  const keyPath = join(dir, 'kubelet-serving.key');
  const sans = [...new Set(o.sans)].sort();
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = await readFile(certPath, 'utf8');
    if (certificateExpiry(cert).getTime() - Date.now() > dayMs && JSON.stringify(namesOf(cert)) === JSON.stringify(sans))
      return { cert, key: await readFile(keyPath, 'utf8') };
  }
  return requestServingCertificate(o);
}

/** Always a new CSR (first issue and every rotation); the files are updated when it is issued. */
export async function requestServingCertificate(o: { client: Client; node: string; sans: string[]; dataDir: string; logger: Logger; signal?: AbortSignal }): Promise<{ cert: string; key: string }> {
  const dir = join(o.dataDir, 'pki');
  const certPath = join(dir, 'kubelet-serving.crt');
  const keyPath = join(dir, 'kubelet-serving.key');
  const sans = [...new Set(o.sans)].sort();
  const { csr, key } = await createClientCsr(`system:node:${o.node}`, ['system:nodes'], sans);
  const spec = { request: Buffer.from(csr).toString('base64'), signerName: 'kubernetes.io/kubelet-serving', usages: ['digital signature', 'server auth'] };
  const cert = await submitCsr(o.client, spec, o.logger, o.signal);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyPath, key, { mode: 0o600 });
  await writeFile(certPath, cert);
  return { cert, key };
}
