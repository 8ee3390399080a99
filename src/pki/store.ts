/**
 * @module The cluster's PKI on disk (`<data-dir>/tls`): created on first start, reused after.
 * The CA is kept; the leaf certificates are reissued from it when less than a third of their
 * lifetime is left (at start, and by `renewServerCertificates` from the server's rotation
 * timer), the serving certificate also when the wanted SANs change.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { certificateSans, createCA, issueCert, type KeyPairPem } from './certs.ts';
import { certificateValidity, lessThanThirdLeft, sleepUntil, thirdLeftAt } from './rotation.ts';
import type { Logger } from '../util/log.ts';

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

function stale(pair: KeyPairPem | undefined, now: number): boolean {
  return !pair || lessThanThirdLeft(certificateValidity(pair.cert), now);
}

/** Lifetimes of the leaf certificates (days; tests shorten them). */
export interface LeafLifetimes {
  servingDays?: number;
  kubeletClientDays?: number;
}

const issueServing = (ca: KeyPairPem, sans: string[], days?: number) => issueCert(ca, { commonName: 'skiff-apiserver', usage: 'server', sans, ...(days ? { days } : {}) });
const issueKubeletClient = (ca: KeyPairPem, days?: number) => issueCert(ca, { commonName: 'kube-apiserver-kubelet-client', usage: 'client', ...(days ? { days } : {}) });

/**
 * Reissues the serving and kubelet-client certificates that have less than a third of their
 * lifetime left, writes them and updates `pki` in place; returns which were renewed.
 */
export async function renewServerCertificates(pki: ClusterPki, sans: string[], life: LeafLifetimes = {}, now = Date.now()): Promise<Array<'serving' | 'kubeletClient'>> {
  const out: Array<'serving' | 'kubeletClient'> = [];
  if (stale(pki.serving, now)) {
    pki.serving = await issueServing(pki.ca, sans, life.servingDays);
    await writePair(pki.dir, 'serving', pki.serving);
    out.push('serving');
  }
  if (stale(pki.kubeletClient, now)) {
    pki.kubeletClient = await issueKubeletClient(pki.ca, life.kubeletClientDays);
    await writePair(pki.dir, 'apiserver-kubelet-client', pki.kubeletClient);
    out.push('kubeletClient');
  }
  return out;
}

export async function loadOrCreatePki(dir: string, sans: string[], life: LeafLifetimes = {}): Promise<ClusterPki> {
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
    serving = await issueServing(ca, sans, life.servingDays);
    await writePair(dir, 'serving', serving);
  }
  let admin = await readPair(dir, 'admin');
  if (stale(admin, now)) {
    admin = await issueCert(ca, { commonName: 'skiff-admin', organizations: ['system:masters'], usage: 'client' });
    await writePair(dir, 'admin', admin);
  }
  let kubeletClient = await readPair(dir, 'apiserver-kubelet-client');
  if (stale(kubeletClient, now)) {
    kubeletClient = await issueKubeletClient(ca, life.kubeletClientDays);
    await writePair(dir, 'apiserver-kubelet-client', kubeletClient);
  }
  return { dir, ca, serving: serving!, admin: admin!, kubeletClient: kubeletClient! };
}

/**
 * The server's rotation timer: sleeps until the first of its certificates has a third of its
 * lifetime left, reissues it from the CA and tells `onRenewed` (which swaps it live).
 */
export async function runServerCertificateRenewal(
  pki: ClusterPki,
  sans: string[],
  o: { life?: LeafLifetimes; logger: Logger; signal: AbortSignal; onRenewed(which: Array<'serving' | 'kubeletClient'>): void },
): Promise<void> {
  while (!o.signal.aborted) {
    const due = Math.min(thirdLeftAt(certificateValidity(pki.serving.cert)).getTime(), thirdLeftAt(certificateValidity(pki.kubeletClient.cert)).getTime());
    // At least a second apart, so a clock that runs ahead cannot spin this loop.
    if (!(await sleepUntil(new Date(Math.max(due, Date.now() + 1000)), o.signal))) return;
    try {
      const renewed = await renewServerCertificates(pki, sans, o.life);
      if (renewed.length) {
        o.logger.info('server certificates renewed', { certificates: renewed });
        o.onRenewed(renewed);
      }
    } catch (err) {
      o.logger.error('server certificate renewal failed; retrying in a minute', { err: (err as Error).message });
      if (!(await sleepUntil(new Date(Date.now() + 60_000), o.signal))) return;
    }
  }
}
