/**
 * @module The cluster's PKI on disk (`<data-dir>/tls`): created on first start, reused after.
 * The serving certificate is reissued when the wanted SANs change or it nears expiry.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { certificateNotAfter, certificateSans, createCA, issueCert, type KeyPairPem } from './certs.ts';

export interface ClusterPki {
  dir: string;
  ca: KeyPairPem;
  serving: KeyPairPem;
  admin: KeyPairPem;
  /** The API server's client certificate towards kubelets (upstream --kubelet-client-certificate). */
  kubeletClient: KeyPairPem;
}

async function readPair(dir: string, name: string): Promise<KeyPairPem | undefined> {
  const c = join(dir, `${name}.crt`);
  const k = join(dir, `${name}.key`);
  if (!existsSync(c) || !existsSync(k)) return undefined;
  return { cert: await readFile(c, 'utf8'), key: await readFile(k, 'utf8') };
}

async function writePair(dir: string, name: string, pair: KeyPairPem): Promise<void> {
  await writeFile(join(dir, `${name}.crt`), pair.cert);
  await writeFile(join(dir, `${name}.key`), pair.key, { mode: 0o600 });
  await chmod(join(dir, `${name}.key`), 0o600);
}

const renewBeforeMs = 30 * 24 * 60 * 60 * 1000;

function stale(pair: KeyPairPem | undefined, now: number): boolean {
  return !pair || certificateNotAfter(pair.cert).getTime() - now < renewBeforeMs;
}

export async function loadOrCreatePki(dir: string, sans: string[]): Promise<ClusterPki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const now = Date.now();
  let ca = await readPair(dir, 'ca');
  if (!ca) {
    ca = await createCA(`skiff-ca@${Math.floor(now / 1000)}`);
    await writePair(dir, 'ca', ca);
  }
  let serving = await readPair(dir, 'serving');
  const have = serving ? new Set(certificateSans(serving.cert)) : new Set<string>();
  if (stale(serving, now) || sans.some((s) => !have.has(s))) {
    serving = await issueCert(ca, { commonName: 'skiff-apiserver', usage: 'server', sans });
    await writePair(dir, 'serving', serving);
  }
  let admin = await readPair(dir, 'admin');
  if (stale(admin, now)) {
    admin = await issueCert(ca, { commonName: 'skiff-admin', organizations: ['system:masters'], usage: 'client' });
    await writePair(dir, 'admin', admin);
  }
  let kubeletClient = await readPair(dir, 'apiserver-kubelet-client');
  if (stale(kubeletClient, now)) {
    kubeletClient = await issueCert(ca, { commonName: 'kube-apiserver-kubelet-client', usage: 'client' });
    await writePair(dir, 'apiserver-kubelet-client', kubeletClient);
  }
  return { dir, ca, serving: serving!, admin: admin!, kubeletClient: kubeletClient! };
}
