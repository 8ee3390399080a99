/**
 * @module Authentication: who is calling. A verified client certificate gives the user from its
 * subject (CN → username, each O → group); the in-process transport asserts its identity; bearer
 * tokens are checked by the token authenticators beside this file (static file, ServiceAccount
 * JWTs, bootstrap tokens, OIDC, webhook) and combined in `union.ts`. Every authenticated user is
 * also in `system:authenticated`.
 */
import type { ApiRequest, UserInfo } from '../types.ts';

/** What a ServiceAccount token says; `pod`/`secret` bind it to an object it dies with. */
export interface ServiceAccountTokenRequest {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  audiences: string[];
  expirationSeconds: number;
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
  node?: { name: string; uid: string };
}

/** Signs ServiceAccount tokens for the TokenRequest subresource. */
export interface TokenIssuer {
  readonly issuer: string;
  /** Audiences a token gets when the request names none (upstream `--api-audiences`). */
  readonly defaultAudiences: string[];
  issue(req: ServiceAccountTokenRequest, now: Date): Promise<string>;
}

export interface Authenticator {
  authenticate(req: ApiRequest): Promise<UserInfo | undefined>;
  /** Present when ServiceAccount tokens can be issued (the TokenRequest subresource). */
  readonly tokenIssuer?: TokenIssuer;
}

/** Checks a bearer token alone (TokenReview and the `Authorization` header share this). */
export interface TokenAuthenticator {
  authenticateToken(token: string): Promise<UserInfo | undefined>;
}

export function withAuthenticated(groups: string[]): string[] {
  return groups.includes('system:authenticated') ? groups : [...groups, 'system:authenticated'];
}

/** The token of an `Authorization: Bearer …` header (case-insensitive scheme, as upstream). */
export function bearerToken(req: ApiRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

export const peerAuthenticator: Authenticator = {
  async authenticate(req) {
    const peer = req.peer;
    if (!peer) return undefined;
    if (peer.kind === 'in-process') return { ...peer.user, groups: withAuthenticated(peer.user.groups) };
    if (!peer.commonName) return undefined;
    return { username: peer.commonName, groups: withAuthenticated(peer.organizations) };
  },
};
