/**
 * @module The kubelet's token manager (upstream pkg/kubelet/token): ServiceAccount tokens for
 * projected `serviceAccountToken` sources come from the TokenRequest API, bound to the pod, and
 * are cached per (account, audiences, lifetime, bound pod). A cached token is used until 80% of
 * its lifetime has passed or it is 24 hours old (each less up to 10 s of jitter, so a node's
 * pods do not all refresh at once); if a refresh fails, a still-valid token is kept. Expired
 * entries are dropped as other tokens are fetched, so deleted pods leave nothing behind.
 */
import type { TokenRequest, TokenRequestSpec } from 'kubernetes-types/authentication/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { refs } from '../../client/refs.ts';
import type { Client } from '../../client/rest.ts';

const maxTTLMs = 24 * 60 * 60 * 1000;
const maxJitterMs = 10_000;

interface Cached {
  token: string;
  expiresAt: number;
  expirationSeconds: number;
}

export type TokenSource = (namespace: string, serviceAccount: string, spec: TokenRequestSpec) => Promise<string>;

export class ServiceAccountTokenManager {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly client: Client,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Whether a cached token is due for a refresh (upstream requiresRefresh). */
  requiresRefresh(c: Cached, now = this.now()): boolean {
    if (now >= c.expiresAt) return true;
    const jitter = this.random() * maxJitterMs;
    const issuedAt = c.expiresAt - c.expirationSeconds * 1000;
    if (now > issuedAt + maxTTLMs - jitter) return true;
    return now > c.expiresAt - c.expirationSeconds * 200 - jitter;
  }

  readonly getToken: TokenSource = async (namespace, serviceAccount, spec) => {
    const now = this.now();
    for (const [k, c] of this.cache) if (now >= c.expiresAt) this.cache.delete(k);
    const key = JSON.stringify([namespace, serviceAccount, spec.audiences ?? [], spec.expirationSeconds ?? null, spec.boundObjectRef ?? null]);
    const cached = this.cache.get(key);
    if (cached && !this.requiresRefresh(cached, now)) return cached.token;
    let tr: TokenRequest;
    try {
      tr = await this.client
        .resource<KubeObject>(refs.serviceaccounts)
        .createSubresource<TokenRequest>(serviceAccount, 'token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec }, namespace);
    } catch (err) {
      // As upstream: a failed refresh keeps serving a token that is still valid.
      if (cached && now < cached.expiresAt) return cached.token;
      throw err;
    }
    const token = tr.status?.token;
    if (!token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
    const expiresAt = Date.parse(tr.status!.expirationTimestamp);
    this.cache.set(key, { token, expiresAt, expirationSeconds: tr.spec.expirationSeconds ?? Math.round((expiresAt - now) / 1000) });
    return token;
  };
}

const managers = new WeakMap<Client, ServiceAccountTokenManager>();

/** The one token manager of a kubelet's client (its cache outlives single pod syncs). */
export function tokenSourceFor(client: Client): TokenSource {
  let m = managers.get(client);
  if (!m) managers.set(client, (m = new ServiceAccountTokenManager(client)));
  return m.getToken;
}
