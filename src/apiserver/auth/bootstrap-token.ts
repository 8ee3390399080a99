/**
 * @module Bootstrap (join) tokens, as upstream's cluster-bootstrap: a token `<id>.<secret>`
 * (6 and 16 characters of [a-z0-9]) backed by the Secret `kube-system/bootstrap-token-<id>` of
 * type `bootstrap.kubernetes.io/token`. It authenticates as `system:bootstrap:<id>` in
 * `system:bootstrappers` (plus its `auth-extra-groups`) until it expires. The same token signs
 * the `kube-public/cluster-info` kubeconfig (a detached HS256 JWS, upstream's bootstrapsigner)
 * so a joining agent can trust the CA it reads there before it trusts the server.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { CompactSign, compactVerify } from 'jose';
import type { Secret } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { withAuthenticated, type TokenAuthenticator } from './authenticator.ts';

export const bootstrapTokenSecretType = 'bootstrap.kubernetes.io/token';
export const bootstrapTokenSecretPrefix = 'bootstrap-token-';
export const bootstrapDefaultGroup = 'system:bootstrappers';
const tokenPattern = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

export interface BootstrapToken {
  id: string;
  secret: string;
}

export function parseBootstrapToken(token: string): BootstrapToken | undefined {
  const m = tokenPattern.exec(token.trim());
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export function generateBootstrapToken(): BootstrapToken {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const pick = (n: number) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
  return { id: pick(6), secret: pick(16) };
}

/** The Secret that backs a token (data base64-encoded, as stored). */
export function bootstrapTokenSecret(t: BootstrapToken, opts: { description?: string; extraGroups?: string[]; expiration?: Date } = {}): Secret {
  const data: Record<string, string> = {
    'token-id': t.id,
    'token-secret': t.secret,
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
  };
  if (opts.description) data.description = opts.description;
  if (opts.extraGroups?.length) data['auth-extra-groups'] = opts.extraGroups.join(',');
  if (opts.expiration) data.expiration = opts.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: bootstrapTokenSecretPrefix + t.id, namespace: 'kube-system' },
    type: bootstrapTokenSecretType,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

function field(s: Secret, key: string): string | undefined {
  const v = s.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

const sameString = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Reads `kube-system/<name>` Secrets. */
export type SecretLookup = (namespace: string, name: string) => Promise<KubeObject | undefined>;

export function bootstrapTokenAuthenticator(lookup: SecretLookup, now: () => Date = () => new Date()): TokenAuthenticator {
  return {
    async authenticateToken(token) {
      const t = parseBootstrapToken(token);
      if (!t) return undefined;
      const s = (await lookup('kube-system', bootstrapTokenSecretPrefix + t.id)) as (Secret & KubeObject) | undefined;
      if (!s || s.metadata?.deletionTimestamp || s.type !== bootstrapTokenSecretType) return undefined;
      if (field(s, 'token-id') !== t.id || !sameString(field(s, 'token-secret') ?? '', t.secret)) return undefined;
      const exp = field(s, 'expiration');
      if (exp && !(Date.parse(exp) > now().getTime())) return undefined;
      if (field(s, 'usage-bootstrap-authentication') !== 'true') return undefined;
      const extra = (field(s, 'auth-extra-groups') ?? '').split(',').map((g) => g.trim()).filter((g) => g.startsWith(`${bootstrapDefaultGroup}:`));
      return { username: `system:bootstrap:${t.id}`, groups: withAuthenticated([bootstrapDefaultGroup, ...extra]) };
    },
  };
}

/** The cluster-info key holding the signature made with token `id`. */
export const jwsKeyPrefix = 'jws-kubeconfig-';

/** Detached JWS (`header..signature`) over `content`, keyed by the token secret, kid = id. */
export async function signDetached(content: string, t: BootstrapToken): Promise<string> {
  const jws = await new CompactSign(new TextEncoder().encode(content))
    .setProtectedHeader({ alg: 'HS256', kid: t.id })
    .sign(new TextEncoder().encode(t.secret));
  const [h, , sig] = jws.split('.');
  return `${h}..${sig}`;
}

export async function verifyDetached(content: string, detached: string, t: BootstrapToken): Promise<boolean> {
  const [h, empty, sig] = detached.split('.');
  if (!h || empty !== '' || !sig) return false;
  const full = `${h}.${Buffer.from(content).toString('base64url')}.${sig}`;
  try {
    const { protectedHeader } = await compactVerify(full, new TextEncoder().encode(t.secret), { algorithms: ['HS256'] });
    return protectedHeader.kid === t.id;
  } catch {
    return false;
  }
}
