/**
 * @module ServiceAccount tokens as signed JWTs (upstream pkg/serviceaccount): issued by the
 * TokenRequest subresource with audiences and an expiry, optionally bound to a pod, secret or
 * node; verified by signature, issuer, audience and time, and then against live objects — the
 * ServiceAccount (and a bound object) must still exist with the same uid, so a token dies with
 * the pod it was bound to. Legacy Secret-based tokens (issuer `kubernetes/serviceaccount`) are
 * verified too; the token controller writes them only into Secrets that ask for one.
 */
import { createHash, createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, decodeJwt } from 'jose';
import type { KubeObject } from '../../api/object.ts';
import type { UserInfo } from '../types.ts';
import { withAuthenticated, type ServiceAccountTokenRequest, type TokenAuthenticator, type TokenIssuer } from './authenticator.ts';

export const defaultServiceAccountIssuer = 'https://kubernetes.default.svc.cluster.local';
/** The issuer of legacy Secret-based tokens (upstream LegacyIssuer). */
export const legacyServiceAccountIssuer = 'kubernetes/serviceaccount';

/** Reads live objects: `serviceaccounts`, `pods`, `secrets` (namespaced) or `nodes`. */
export type ObjectLookup = (resource: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes', namespace: string, name: string) => Promise<KubeObject | undefined>;

interface Ref {
  name: string;
  uid: string;
}

interface PrivateClaims {
  namespace: string;
  serviceaccount: Ref;
  pod?: Ref;
  secret?: Ref;
  node?: Ref;
}

/** Upstream's key id: the unpadded base64url SHA-256 of the DER public key. */
function keyId(pub: KeyObject): string {
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** A bound object deleted more than this long ago invalidates its tokens (upstream's leeway). */
const deletionLeewayMs = 60_000;

export interface ServiceAccountTokensOptions {
  /** PKCS#8 PEM (RSA or EC). */
  signingKeyPem: string;
  issuer?: string;
  /** Audiences the API server itself accepts (`--api-audiences`); default: the issuer. */
  apiAudiences?: string[];
  lookup: ObjectLookup;
  now?: () => Date;
}

export class ServiceAccountTokens implements TokenIssuer, TokenAuthenticator {
  readonly issuer: string;
  readonly defaultAudiences: string[];
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly alg: string;
  private readonly kid: string;

  constructor(private readonly opts: ServiceAccountTokensOptions) {
    this.issuer = opts.issuer ?? defaultServiceAccountIssuer;
    this.defaultAudiences = opts.apiAudiences ?? [this.issuer];
    this.privateKey = createPrivateKey(opts.signingKeyPem);
    this.publicKey = createPublicKey(this.privateKey);
    this.alg = this.privateKey.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
    this.kid = keyId(this.publicKey);
  }

  async issue(req: ServiceAccountTokenRequest, now: Date): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    const priv: PrivateClaims = { namespace: req.namespace, serviceaccount: req.serviceAccount };
    if (req.pod) priv.pod = req.pod;
    if (req.secret) priv.secret = req.secret;
    if (req.node) priv.node = req.node;
    return new SignJWT({ 'kubernetes.io': priv })
      .setProtectedHeader({ alg: this.alg, kid: this.kid })
      .setIssuer(this.issuer)
      .setSubject(`system:serviceaccount:${req.namespace}:${req.serviceAccount.name}`)
      .setAudience(req.audiences)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + req.expirationSeconds)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }

  private verifyLegacy(token: string): Promise<UserInfo | undefined> {
    return verifyLegacy(token, this.publicKey, this.opts.lookup);
  }

  authenticateToken(token: string): Promise<UserInfo | undefined> {
    return this.verify(token, this.defaultAudiences);
  }

  /** Verifies a token for the given audiences (TokenReview may name others). */
  async verify(token: string, audiences: string[]): Promise<UserInfo | undefined> {
    // Cheap pre-check: only JWTs from our issuers are ours to judge (others may be OIDC tokens).
    let iss: string | undefined;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return undefined;
    }
    if (iss === legacyServiceAccountIssuer) return this.verifyLegacy(token);
    if (iss !== this.issuer) return undefined;
    const now = this.opts.now?.() ?? new Date();
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.publicKey, { issuer: this.issuer, audience: audiences, currentDate: now, clockTolerance: 60 }));
    } catch {
      return undefined;
    }
    const k = payload['kubernetes.io'] as PrivateClaims | undefined;
    if (!k?.namespace || !k.serviceaccount?.name) return undefined;
    if (payload.sub !== `system:serviceaccount:${k.namespace}:${k.serviceaccount.name}`) return undefined;
    const sa = await this.opts.lookup('serviceaccounts', k.namespace, k.serviceaccount.name);
    if (!alive(sa, k.serviceaccount.uid, now)) return undefined;
    if (k.pod && !alive(await this.opts.lookup('pods', k.namespace, k.pod.name), k.pod.uid, now)) return undefined;
    if (k.secret && !alive(await this.opts.lookup('secrets', k.namespace, k.secret.name), k.secret.uid, now)) return undefined;
    if (k.node && !alive(await this.opts.lookup('nodes', '', k.node.name), k.node.uid, now)) return undefined;
    const extra: Record<string, string[]> = {};
    if (k.pod) {
      extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
    }
    if (k.node) {
      extra['authentication.kubernetes.io/node-name'] = [k.node.name];
      extra['authentication.kubernetes.io/node-uid'] = [k.node.uid];
    }
    if (payload.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${payload.jti}`];
    const user: UserInfo = {
      username: payload.sub,
      uid: k.serviceaccount.uid,
      groups: withAuthenticated(['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`]),
    };
    if (Object.keys(extra).length) user.extra = extra;
    return user;
  }
}

/**
 * Legacy tokens (kept in `kubernetes.io/service-account-token` Secrets by the token controller,
 * only for Secrets someone created): no audience or expiry, valid while the Secret still holds
 * exactly this token and the ServiceAccount is the one it was made for.
 */
async function verifyLegacy(token: string, key: KeyObject, lookup: ObjectLookup): Promise<UserInfo | undefined> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key, { issuer: legacyServiceAccountIssuer }));
  } catch {
    return undefined;
  }
  const p = payload as Record<string, unknown>;
  const ns = p['kubernetes.io/serviceaccount/namespace'];
  const secretName = p['kubernetes.io/serviceaccount/secret.name'];
  const saName = p['kubernetes.io/serviceaccount/service-account.name'];
  const saUid = p['kubernetes.io/serviceaccount/service-account.uid'];
  if (typeof ns !== 'string' || typeof secretName !== 'string' || typeof saName !== 'string' || typeof saUid !== 'string') return undefined;
  if (payload.sub !== `system:serviceaccount:${ns}:${saName}`) return undefined;
  const secret = (await lookup('secrets', ns, secretName)) as (KubeObject & { data?: Record<string, string> }) | undefined;
  if (!secret || secret.metadata?.deletionTimestamp || Buffer.from(secret.data?.token ?? '', 'base64').toString() !== token) return undefined;
  const sa = await lookup('serviceaccounts', ns, saName);
  if (!sa || sa.metadata?.uid !== saUid || sa.metadata?.deletionTimestamp) return undefined;
  return { username: payload.sub, uid: saUid, groups: withAuthenticated(['system:serviceaccounts', `system:serviceaccounts:${ns}`]) };
}

function alive(obj: KubeObject | undefined, uid: string, now: Date): boolean {
  if (!obj || obj.metadata?.uid !== uid) return false;
  const del = obj.metadata?.deletionTimestamp;
  return !del || Date.parse(del) > now.getTime() - deletionLeewayMs;
}
