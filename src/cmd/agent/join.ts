/**
 * @module Joining with a bootstrap token (`skiff agent --server URL --token ID.SECRET`), as
 * kubeadm join + kubelet TLS bootstrap: read `kube-public/cluster-info` without trusting the
 * server yet, accept its CA only if the token's JWS signature over it verifies, then — as
 * `system:bootstrap:<id>` — create a CertificateSigningRequest for `system:node:<name>` in
 * `system:nodes` (signer `kubernetes.io/kube-apiserver-client-kubelet`), wait for it to be
 * approved and issued, and keep the certificate in the agent's data dir. A later start reuses
 * it while it is valid for another day.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { jwsKeyPrefix, parseBootstrapToken, verifyDetached } from '../../apiserver/auth/bootstrap-token.ts';
import { httpsTransport } from '../../client/https-transport.ts';
import type { KubeconfigCredentials } from '../../client/kubeconfig.ts';
import { Client, type ResourceRef } from '../../client/rest.ts';
import { certificateExpiry, createClientCsr } from '../../pki/csr.ts';
import type { Logger } from '../../util/log.ts';

export type Csr = CertificateSigningRequest & KubeObject;
const csrRef: ResourceRef = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests', namespaced: false };
const dayMs = 24 * 3600 * 1000;

export type JoinCredentials = Pick<KubeconfigCredentials, 'server' | 'ca' | 'cert' | 'key' | 'insecureSkipTLSVerify'>;

/** The cluster CA from cluster-info, trusted only when signed with our token. */
async function discoverCa(server: string, tokenText: string): Promise<string> {
  const token = parseBootstrapToken(tokenText);
  if (!token) throw new Error('--token: not a bootstrap token of the form [a-z0-9]{6}.[a-z0-9]{16}');
  // Unverified TLS on purpose: what we read is checked by its signature, not by the channel.
  const t = httpsTransport({ server, insecureSkipTLSVerify: true });
  try {
    const cm = await new Client(t).resource<ConfigMap & KubeObject>({ group: '', version: 'v1', resource: 'configmaps', namespaced: true }).get('cluster-info', 'kube-public');
    const kubeconfig = cm.data?.kubeconfig;
    const sig = cm.data?.[jwsKeyPrefix + token.id];
    if (!kubeconfig || !sig) throw new Error(`cluster-info has no kubeconfig signed for token id "${token.id}"`);
    if (!(await verifyDetached(kubeconfig, sig, token))) throw new Error('cluster-info signature does not verify with this token: refusing to trust the server');
    const doc = parse(kubeconfig) as { clusters?: { cluster?: Record<string, string> }[] };
    const caData = doc.clusters?.[0]?.cluster?.['certificate-authority-data'];
    if (!caData) throw new Error('cluster-info kubeconfig has no certificate-authority-data');
    return Buffer.from(caData, 'base64').toString('utf8');
  } finally {
    t.close();
  }
}

/** Creates a CSR and waits until it is issued (or denied, failed, timed out). */
export async function submitCsr(client: Client, spec: Csr['spec'], logger: Logger, signal?: AbortSignal): Promise<string> {
  const csrs = client.resource<Csr>(csrRef);
  const created = await csrs.create({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { generateName: 'node-csr-' }, spec } as Csr);
  const name = created.metadata!.name!;
  logger.info('waiting for certificate signing request', { csr: name, signer: spec.signerName });
  const deadline = Date.now() + 15 * 60_000;
  for (let delay = 100; Date.now() < deadline; delay = Math.min(delay * 2, 2000)) {
    if (signal?.aborted) throw new Error('aborted while waiting for a certificate');
    const cur = await csrs.get(name);
    const bad = cur.status?.conditions?.find((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status !== 'False');
    if (bad) throw new Error(`certificate signing request ${name} was ${bad.type.toLowerCase()}: ${bad.message ?? bad.reason ?? ''}`);
    if (cur.status?.certificate) return Buffer.from(cur.status.certificate, 'base64').toString('utf8');
    await new Promise((r) => setTimeout(r, delay));
  }
  throw new Error(`certificate signing request ${name} was not issued in time`);
}

async function requestCertificate(server: string, ca: string, token: string, node: string, logger: Logger, signal?: AbortSignal): Promise<{ cert: string; key: string }> {
  const { csr, key } = await createClientCsr(`system:node:${node}`, ['system:nodes']);
  const t = httpsTransport({ server, ca, token, insecureSkipTLSVerify: false });
  try {
    const client = new Client(t, { userAgent: 'skiff-agent' });
    const spec = { request: Buffer.from(csr).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] };
    return { cert: await submitCsr(client, spec, logger, signal), key };
  } finally {
    t.close();
  }
}

/**
 * Rotation: the node asks for a new client certificate as itself (its current one
 * authenticates the CSR, which the approver grants through `selfnodeclient`) and the files are
 * updated once it is issued.
 */
export async function renewClientCertificate(o: { client: Client; node: string; dataDir: string; logger: Logger; signal?: AbortSignal }): Promise<{ cert: string; key: string }> {
  const { csr, key } = await createClientCsr(`system:node:${o.node}`, ['system:nodes']);
  const spec = { request: Buffer.from(csr).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] };
  const cert = await submitCsr(o.client, spec, o.logger, o.signal);
  const dir = join(o.dataDir, 'pki');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Key first: a reader never sees a new certificate beside the old key.
  await writeFile(join(dir, 'kubelet-client.key'), key, { mode: 0o600 });
  await writeFile(join(dir, 'kubelet-client.crt'), cert);
  return { cert, key };
}

/** Credentials for the node, from its saved certificate or through the bootstrap flow. */
export async function joinWithToken(opts: { server: string; token: string; node: string; dataDir: string; logger: Logger; signal?: AbortSignal }): Promise<JoinCredentials> {
  const dir = join(opts.dataDir, 'pki');
  const [caPath, certPath, keyPath] = ['ca.crt', 'kubelet-client.crt', 'kubelet-client.key'].map((f) => join(dir, f)) as [string, string, string];
  if (existsSync(caPath) && existsSync(certPath) && existsSync(keyPath)) {
    const cert = await readFile(certPath, 'utf8');
    if (certificateExpiry(cert).getTime() - Date.now() > dayMs)
      return { server: opts.server, ca: await readFile(caPath, 'utf8'), cert, key: await readFile(keyPath, 'utf8'), insecureSkipTLSVerify: false };
  }
  const ca = await discoverCa(opts.server, opts.token);
  const { cert, key } = await requestCertificate(opts.server, ca, opts.token.trim(), opts.node, opts.logger, opts.signal);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(caPath, ca);
  await writeFile(keyPath, key, { mode: 0o600 });
  await writeFile(certPath, cert);
  return { server: opts.server, ca, cert, key, insecureSkipTLSVerify: false };
}
