/**
 * @module Combines authenticators as upstream's request authenticator does: the peer identity
 * (client certificate, in-process) first, then the bearer token through every token
 * authenticator in turn. A request with a token that nobody accepts is rejected (401) even when
 * anonymous access is on; only requests without credentials fall through to `system:anonymous`.
 */
import type { ApiRequest, UserInfo } from '../types.ts';
import { bearerToken, type Authenticator, type TokenAuthenticator, type TokenIssuer } from './authenticator.ts';

/** Tries each authenticator in turn; the first that recognises the request wins. */
export function unionAuthenticator(list: Authenticator[]): Authenticator {
  return {
    async authenticate(req) {
      for (const a of list) {
        const u = await a.authenticate(req);
        if (u) return u;
      }
      return undefined;
    },
  };
}

export const anonymousUser: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/**
 * The one object served to anyone, as kubeadm's RBAC does for `system:anonymous`: the
 * `kube-public/cluster-info` ConfigMap, from which a joining agent learns the cluster CA.
 */
export function isPublicClusterInfo(req: ApiRequest): boolean {
  const m = req.method.toUpperCase();
  return (m === 'GET' || m === 'HEAD') && req.path.replace(/\/+$/, '') === '/api/v1/namespaces/kube-public/configmaps/cluster-info';
}

export interface RequestAuthenticatorOptions {
  peer: Authenticator;
  tokens: TokenAuthenticator[];
  /** `--anonymous-auth`: requests without credentials become `system:anonymous`. */
  anonymous: boolean;
  tokenIssuer?: TokenIssuer;
}

export function requestAuthenticator(opts: RequestAuthenticatorOptions): Authenticator {
  return {
    tokenIssuer: opts.tokenIssuer,
    async authenticate(req) {
      const fromPeer = await opts.peer.authenticate(req);
      if (fromPeer) return fromPeer;
      const token = bearerToken(req);
      if (token !== undefined) {
        for (const t of opts.tokens) {
          const u = await t.authenticateToken(token);
          if (u) return u;
        }
        return undefined;
      }
      if (opts.anonymous || isPublicClusterInfo(req)) return { ...anonymousUser, groups: [...anonymousUser.groups] };
      return undefined;
    },
  };
}

/** A TokenAuthenticator over a list, for TokenReview. */
export function unionTokenAuthenticator(list: TokenAuthenticator[]): TokenAuthenticator {
  return {
    async authenticateToken(token) {
      for (const t of list) {
        const u = await t.authenticateToken(token);
        if (u) return u;
      }
      return undefined;
    },
  };
}
