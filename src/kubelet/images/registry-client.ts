/**
 * @module Pull side of the OCI distribution protocol: manifests with the Accept list of image
 * and index types, blobs as streams, and the auth challenge dance — a `401` with
 * `WWW-Authenticate: Bearer realm=…,service=…,scope=…` gets a token from the realm (with the
 * pull secret's credentials, if any), `Basic` gets the credentials directly.
 */
import { Readable } from 'node:stream';
import type { RegistryAuth } from '../runtime/interface.ts';
import { registryBaseUrl, type ImageReference } from './reference.ts';

export const manifestAccept = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

/** A pull failure; `code` separates "no such image" from auth and transport trouble. */
export class ImagePullError extends Error {
  constructor(
    message: string,
    readonly code: 'NotFound' | 'Unauthorized' | 'Invalid' | 'Unavailable',
  ) {
    super(message);
  }
}

function basic(auth: RegistryAuth | undefined): string | undefined {
  if (!auth) return undefined;
  if (auth.auth) return `Basic ${auth.auth}`;
  if (auth.username !== undefined) return `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
  return undefined;
}

/** Parses `Bearer realm="…",service="…"` (quoted values may hold commas). */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const sp = header.indexOf(' ');
  const scheme = (sp < 0 ? header : header.slice(0, sp)).toLowerCase();
  const params: Record<string, string> = {};
  const re = /([a-zA-Z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const m of (sp < 0 ? '' : header.slice(sp + 1)).matchAll(re)) params[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  return { scheme, params };
}

export class RegistryClient {
  private authorization: string | undefined;
  private readonly base: string;

  constructor(
    private readonly ref: ImageReference,
    private readonly auth?: RegistryAuth,
    private readonly signal?: AbortSignal,
  ) {
    this.base = registryBaseUrl(ref.registry);
  }

  private get image(): string {
    return `${this.ref.registry}/${this.ref.repository}`;
  }

  /** GET with one retry after answering an auth challenge. */
  private async request(path: string, headers: Record<string, string>, method = 'GET'): Promise<Response> {
    const url = `${this.base}/v2/${this.ref.repository}/${path}`;
    const send = () =>
      fetch(url, { method, headers: { ...headers, ...(this.authorization ? { Authorization: this.authorization } : {}) }, signal: this.signal });
    let res: Response;
    try {
      res = await send();
      if (res.status === 401) {
        const challenge = res.headers.get('www-authenticate');
        await res.body?.cancel();
        if (!challenge) throw new ImagePullError(`pulling ${this.image}: 401 Unauthorized`, 'Unauthorized');
        await this.answer(challenge);
        res = await send();
      }
    } catch (err) {
      if (err instanceof ImagePullError || this.signal?.aborted) throw err;
      throw new ImagePullError(`pulling ${this.image}: ${(err as Error).message}${(err as { cause?: Error }).cause ? `: ${(err as { cause: Error }).cause.message}` : ''}`, 'Unavailable');
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let code = '';
    try {
      code = (JSON.parse(text) as { errors?: { code?: string }[] }).errors?.[0]?.code ?? '';
    } catch {
      /* not a distribution error body */
    }
    if (res.status === 404) throw new ImagePullError(`${this.image}: not found${code ? ` (${code})` : ''}`, 'NotFound');
    if (res.status === 401 || res.status === 403) throw new ImagePullError(`pulling ${this.image}: ${res.status} ${code || 'unauthorized'}`, 'Unauthorized');
    throw new ImagePullError(`pulling ${this.image}: unexpected status ${res.status} ${code}`.trim(), 'Unavailable');
  }

  private async answer(header: string): Promise<void> {
    const { scheme, params } = parseChallenge(header);
    const creds = basic(this.auth);
    if (scheme === 'basic') {
      if (!creds) throw new ImagePullError(`pulling ${this.image}: 401 Unauthorized: registry requires credentials`, 'Unauthorized');
      this.authorization = creds;
      return;
    }
    if (scheme !== 'bearer' || !params.realm) throw new ImagePullError(`pulling ${this.image}: unsupported auth challenge ${header}`, 'Unauthorized');
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    tokenUrl.searchParams.set('scope', params.scope ?? `repository:${this.ref.repository}:pull`);
    let res: Response;
    if (this.auth?.identityToken) {
      // An identity token is a refresh token for the OAuth2 endpoint of the realm.
      const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.auth.identityToken, service: params.service ?? '', scope: tokenUrl.searchParams.get('scope') ?? '', client_id: 'skiff' });
      res = await fetch(params.realm, { method: 'POST', body, signal: this.signal });
    } else {
      res = await fetch(tokenUrl, { headers: creds ? { Authorization: creds } : {}, signal: this.signal });
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new ImagePullError(`pulling ${this.image}: token request failed: ${res.status}`, 'Unauthorized');
    }
    const tok = (await res.json()) as { token?: string; access_token?: string };
    const token = tok.token ?? tok.access_token;
    if (!token) throw new ImagePullError(`pulling ${this.image}: token response has no token`, 'Unauthorized');
    this.authorization = `Bearer ${token}`;
  }

  async manifest(reference: string): Promise<{ body: Buffer; mediaType: string }> {
    const res = await this.request(`manifests/${reference}`, { Accept: manifestAccept.join(', ') });
    const body = Buffer.from(await res.arrayBuffer());
    const ct = res.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
    return { body, mediaType: ct };
  }

  async blob(digest: string): Promise<Readable> {
    const res = await this.request(`blobs/${digest}`, {});
    if (!res.body) throw new ImagePullError(`pulling ${this.image}: empty body for ${digest}`, 'Unavailable');
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }
}
