/**
 * @module TLS for the HTTPS listener: SNI picks the `kubernetes.io/tls` Secret an Ingress names
 * for that host (keys `tls.crt`, `tls.key`, in the Ingress's namespace); an unknown host or a
 * missing/broken Secret gets the default certificate, as ingress-nginx's fake certificate.
 * Secure contexts are cached per Secret resourceVersion.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Secret } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import type { Logger } from '../util/log.ts';
import type { TlsTarget } from './router.ts';

export interface CertPair {
  cert: string;
  key: string;
}

export class CertificateStore {
  private readonly cache = new Map<string, { rv: string; ctx?: SecureContext }>();
  readonly defaultContext: SecureContext;

  constructor(
    private readonly secrets: Informer<Secret & KubeObject>,
    readonly defaultCert: CertPair,
    private readonly logger: Logger,
  ) {
    this.defaultContext = createSecureContext(defaultCert);
  }

  /** The secure context for a TLS target, undefined when its Secret is missing or unusable. */
  contextFor(t: TlsTarget): SecureContext | undefined {
    const secret = this.secrets.store.getByName(t.namespace, t.secretName);
    if (!secret) return undefined;
    const key = `${t.namespace}/${t.secretName}`;
    const rv = secret.metadata?.resourceVersion ?? '';
    const hit = this.cache.get(key);
    if (hit && hit.rv === rv) return hit.ctx;
    let ctx: SecureContext | undefined;
    const crt = secret.data?.['tls.crt'];
    const pem = secret.data?.['tls.key'];
    if (secret.type === 'kubernetes.io/tls' && crt && pem) {
      try {
        ctx = createSecureContext({ cert: Buffer.from(crt, 'base64'), key: Buffer.from(pem, 'base64') });
      } catch (err) {
        this.logger.warn('unusable TLS secret, serving the default certificate', { secret: key, err: String(err) });
      }
    }
    this.cache.set(key, { rv, ctx });
    return ctx;
  }
}
