/**
 * @module The compiled route table the controller pushes to its worker processes over IPC (a
 * full snapshot on every change): the served Ingresses (each worker builds the same
 * `RouteTable` from them), the ready endpoints of every backend they name, the TLS PEMs of every
 * Secret they name, and the default certificate. Also the worker-side views of it (endpoint
 * round-robin, secure contexts by SNI) and the metric batches workers send back.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Secret } from 'kubernetes-types/core/v1.js';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Upstream } from './endpoints.ts';
import type { RouteTable, ServiceBackend, TlsTarget } from './router.ts';
import type { CertPair } from './tls.ts';

export interface Snapshot {
  ingresses: (Ingress & KubeObject)[];
  /** Ready endpoints by `backendKey`. */
  endpoints: Record<string, Upstream[]>;
  /** PEMs by `namespace/secretName`; absent when the Secret is missing or not a usable TLS Secret. */
  secrets: Record<string, CertPair>;
  defaultCert: CertPair;
  httpsPort?: number;
}

/** One metric batch: observations grouped by Ingress, Service and code. */
export interface MetricBatch {
  ingress: string;
  service: string;
  code: number;
  seconds: number[];
}

export type ToWorker = { type: 'snapshot'; snapshot: Snapshot } | { type: 'server'; proto: 'http' | 'https' };
export type FromWorker = { type: 'listening'; proto: 'http' | 'https' } | { type: 'metrics'; batch: MetricBatch[] };

export function backendKey(b: ServiceBackend): string {
  return `${b.namespace}/${b.service}:${b.port.name ?? b.port.number}`;
}

/** Builds the snapshot from the controller's table and caches. */
export function compileSnapshot(
  ingresses: (Ingress & KubeObject)[],
  table: RouteTable,
  resolve: (b: ServiceBackend) => Upstream[],
  secret: (t: TlsTarget) => (Secret & KubeObject) | undefined,
  defaultCert: CertPair,
  httpsPort: number | undefined,
): Snapshot {
  const endpoints: Record<string, Upstream[]> = {};
  for (const b of table.backends()) endpoints[backendKey(b)] ??= resolve(b);
  const secrets: Record<string, CertPair> = {};
  for (const t of table.tlsTargets()) {
    const s = secret(t);
    const crt = s?.data?.['tls.crt'];
    const key = s?.data?.['tls.key'];
    if (s?.type === 'kubernetes.io/tls' && crt && key) secrets[`${t.namespace}/${t.secretName}`] = { cert: Buffer.from(crt, 'base64').toString(), key: Buffer.from(key, 'base64').toString() };
  }
  return { ingresses, endpoints, secrets, defaultCert, httpsPort };
}

/** The worker's endpoint view: the snapshot's addresses, round-robin per backend. */
export class SnapshotEndpoints {
  private readonly cursors = new Map<string, number>();
  constructor(private readonly current: () => Snapshot) {}

  pick(b: ServiceBackend): Upstream[] {
    const key = backendKey(b);
    const all = this.current().endpoints[key] ?? [];
    if (all.length < 2) return all;
    const i = (this.cursors.get(key) ?? 0) % all.length;
    this.cursors.set(key, i + 1);
    return [...all.slice(i), ...all.slice(0, i)];
  }
}

/** The worker's secure contexts, cached per Secret while its PEMs stay the same. */
export class SnapshotCerts {
  private readonly cache = new Map<string, { pem: CertPair; ctx?: SecureContext }>();
  private defaultPem?: CertPair;
  private defaultCtx?: SecureContext;
  constructor(private readonly current: () => Snapshot) {}

  get defaultContext(): SecureContext {
    const d = this.current().defaultCert;
    if (!this.defaultCtx || this.defaultPem !== d) {
      this.defaultCtx = createSecureContext(d);
      this.defaultPem = d;
    }
    return this.defaultCtx;
  }

  contextFor(t: TlsTarget): SecureContext | undefined {
    const key = `${t.namespace}/${t.secretName}`;
    const pem = this.current().secrets[key];
    if (!pem) return undefined;
    const hit = this.cache.get(key);
    if (hit && hit.pem.cert === pem.cert && hit.pem.key === pem.key) return hit.ctx;
    let ctx: SecureContext | undefined;
    try {
      ctx = createSecureContext(pem);
    } catch (err) {
      process.stderr.write(`skiff ingress worker: unusable TLS secret ${key}, serving the default certificate: ${String(err)}\n`);
    }
    this.cache.set(key, { pem, ctx });
    return ctx;
  }
}
