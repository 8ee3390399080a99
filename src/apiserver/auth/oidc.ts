/**
 * @module OpenID Connect ID tokens (`--oidc-*`, upstream's oidc authenticator, as EKS and
 * friends use for an external identity provider): the issuer's discovery document gives the
 * JWKS; a token is valid when signed by one of its keys, `iss` is the issuer, `aud` holds the
 * client id and it has not expired. The username claim (default `sub`) and groups claim become
 * the user, with the configured prefixes. Keys are fetched on first use and refetched (at
 * most every 10 s) when a token names an unknown key.
 */
import { get } from 'node:https';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import type { UserInfo } from '../types.ts';
import { withAuthenticated, type TokenAuthenticator } from './authenticator.ts';

export interface OidcOptions {
  issuerUrl: string;
  clientId: string;
  usernameClaim?: string;
  /** Undefined: upstream's default (`<issuer>#` unless the claim is `email`); `-` for none. */
  usernamePrefix?: string;
  groupsClaim?: string;
  groupsPrefix?: string;
  /** PEM of the CA that signs the issuer's serving certificate (default: system roots). */
  ca?: string;
}

function fetchJson(url: string, ca: string | undefined): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ca, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`${url}: HTTP ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
  });
}

export function usernamePrefixOf(o: OidcOptions): string {
  const claim = o.usernameClaim ?? 'sub';
  if (o.usernamePrefix === '-') return '';
  if (o.usernamePrefix !== undefined) return o.usernamePrefix;
  return claim === 'email' ? '' : `${o.issuerUrl}#`;
}

export function oidcAuthenticator(o: OidcOptions): TokenAuthenticator {
  const issuer = o.issuerUrl;
  if (!issuer.startsWith('https://')) throw new Error(`--oidc-issuer-url: must use https: ${issuer}`);
  let keys: ReturnType<typeof createLocalJWKSet> | undefined;
  let fetchedAt = 0;
  const refresh = async () => {
    const doc = (await fetchJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, o.ca)) as { issuer?: string; jwks_uri?: string };
    if (doc.issuer !== issuer) throw new Error(`oidc: discovery issuer ${doc.issuer} does not match ${issuer}`);
    if (!doc.jwks_uri) throw new Error('oidc: discovery document has no jwks_uri');
    keys = createLocalJWKSet((await fetchJson(doc.jwks_uri, o.ca)) as JSONWebKeySet);
    fetchedAt = Date.now();
  };
  const verify = async (token: string) => {
    if (!keys) await refresh();
    try {
      return await jwtVerify(token, keys!, { issuer, audience: o.clientId });
    } catch (err) {
      // A key rotation shows up as an unknown kid: refetch once, not on every bad token.
      if ((err as { code?: string }).code === 'ERR_JWKS_NO_MATCHING_KEY' && Date.now() - fetchedAt > 10_000) {
        await refresh();
        return jwtVerify(token, keys!, { issuer, audience: o.clientId });
      }
      throw err;
    }
  };
  const usernameClaim = o.usernameClaim ?? 'sub';
  const prefix = usernamePrefixOf(o);
  return {
    async authenticateToken(token) {
      try {
        if (decodeJwt(token).iss !== issuer) return undefined;
      } catch {
        return undefined;
      }
      let payload;
      try {
        ({ payload } = await verify(token));
      } catch {
        return undefined;
      }
      const name = payload[usernameClaim];
      if (typeof name !== 'string' || !name) return undefined;
      // Upstream refuses an unverified email as the username.
      if (usernameClaim === 'email' && payload.email_verified !== undefined && payload.email_verified !== true) return undefined;
      const groups: string[] = [];
      if (o.groupsClaim) {
        const g = payload[o.groupsClaim];
        const list = typeof g === 'string' ? [g] : Array.isArray(g) ? g.filter((x): x is string => typeof x === 'string') : [];
        for (const x of list) groups.push(`${o.groupsPrefix ?? ''}${x}`);
      }
      const user: UserInfo = { username: `${prefix}${name}`, groups: withAuthenticated(groups) };
      return user;
    },
  };
}
