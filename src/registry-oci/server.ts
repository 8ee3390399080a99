/**
 * @module The built-in OCI distribution registry (the cluster's "ECR"): an HTTP server speaking
 * the distribution spec's pull, push, content-discovery and content-management endpoints over
 * a {@link RegistryStore}. `skopeo copy … docker://127.0.0.1:5000/NAME:TAG` pushes to it and
 * every node pulls from it. Authentication is optional HTTP Basic from an htpasswd file
 * (`auth.ts`); without one the registry is open, and it listens on loopback by default.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../util/log.ts';
import { authorized, challenge, type BasicAuth } from './auth.ts';
import { checkDigest, checkName, checkTag, isDigest, RegistryError } from './errors.ts';
import { parseManifest } from './manifests.ts';
import { digestOf, type RegistryStore } from './store.ts';

/** distribution's limit on manifest bodies. */
const maxManifestBytes = 4 * 1024 * 1024;

type Params = { name: string; rest: string };
type Handler = (req: IncomingMessage, res: ServerResponse, p: Params, url: URL) => Promise<void>;

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RegistryError('SIZE_INVALID', { limit }, 'payload too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export class RegistryHandler {
  constructor(
    readonly store: RegistryStore,
    private readonly log?: Logger,
    private readonly auth?: BasicAuth,
  ) {}

  /** Routes one request; every response carries the API version header. */
  handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    const url = new URL(req.url ?? '/', 'http://registry');
    const method = req.method ?? 'GET';
    try {
      if (this.auth && !authorized(this.auth, req)) {
        res.setHeader('WWW-Authenticate', challenge(this.auth));
        throw new RegistryError('UNAUTHORIZED');
      }
      const route = this.route(method, url.pathname);
      if (!route) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
        return;
      }
      await route.handler(req, res, route.params, url);
    } catch (err) {
      const e = err instanceof RegistryError ? err : undefined;
      if (!e) this.log?.error('registry request failed', { method, path: url.pathname, err });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = (e ?? new RegistryError('UNKNOWN')).body();
      res.writeHead(e?.status ?? 500, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(method === 'HEAD' ? undefined : body);
      // Drain what the client is still sending so the connection stays usable.
      req.resume();
    }
  };

  private route(method: string, path: string): { handler: Handler; params: Params } | undefined {
    if (path === '/v2/' || path === '/v2') {
      return method === 'GET' || method === 'HEAD' ? { handler: this.base, params: { name: '', rest: '' } } : undefined;
    }
    if (path === '/v2/_catalog') return method === 'GET' ? { handler: this.catalog, params: { name: '', rest: '' } } : undefined;
    const table: [RegExp, Record<string, Handler>][] = [
      [/^\/v2\/(.+)\/tags\/list$/, { GET: this.tagsList }],
      [/^\/v2\/(.+)\/manifests\/([^/]+)$/, { GET: this.getManifest, HEAD: this.getManifest, PUT: this.putManifest, DELETE: this.deleteManifest }],
      [/^\/v2\/(.+)\/blobs\/uploads\/?$/, { POST: this.startUpload }],
      [/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, { GET: this.uploadStatus, PATCH: this.patchUpload, PUT: this.putUpload, DELETE: this.cancelUpload }],
      [/^\/v2\/(.+)\/blobs\/([^/]+)$/, { GET: this.getBlob, HEAD: this.getBlob, DELETE: this.deleteBlob }],
    ];
    for (const [re, methods] of table) {
      const m = re.exec(path);
      if (!m) continue;
      const handler = methods[method];
      const params = { name: decodeURIComponent(m[1]!), rest: decodeURIComponent(m[2] ?? '') };
      if (!handler) {
        return {
          handler: async () => {
            throw new RegistryError('UNSUPPORTED', { method });
          },
          params,
        };
      }
      return {
        handler: async (req, res, p, url) => {
          checkName(p.name);
          await handler(req, res, p, url);
        },
        params,
      };
    }
    return undefined;
  }

  private base: Handler = async (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': 2 }).end('{}');
  };

  /** `n`/`last` pagination with a `Link` header, as the spec describes. */
  private page(res: ServerResponse, url: URL, all: string[], key: string, extra: Record<string, string>): void {
    const last = url.searchParams.get('last');
    const n = url.searchParams.has('n') ? Number(url.searchParams.get('n')) : undefined;
    let items = last ? all.filter((x) => x > last) : all;
    if (n !== undefined && Number.isInteger(n) && n >= 0 && items.length > n) {
      items = items.slice(0, n);
      const next = new URL(url.pathname, 'http://registry');
      next.searchParams.set('n', String(n));
      next.searchParams.set('last', items[items.length - 1] ?? '');
      res.setHeader('Link', `<${next.pathname}${next.search}>; rel="next"`);
    }
    const body = JSON.stringify({ ...extra, [key]: items });
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) }).end(body);
  }

  private catalog: Handler = async (_req, res, _p, url) => {
    this.page(res, url, await this.store.repositories(), 'repositories', {});
  };

  private tagsList: Handler = async (_req, res, { name }, url) => {
    if (!(await this.store.repoExists(name))) throw new RegistryError('NAME_UNKNOWN', { name });
    this.page(res, url, await this.store.tags(name), 'tags', { name });
  };

  // ---- blobs

  private getBlob: Handler = async (req, res, { name, rest: digest }) => {
    checkDigest(digest);
    const size = await this.store.blobSize(name, digest);
    if (size === undefined) throw new RegistryError('BLOB_UNKNOWN', { digest });
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': size,
      'Docker-Content-Digest': digest,
      ETag: `"${digest}"`,
      'Cache-Control': 'max-age=31536000',
    });
    if (req.method === 'HEAD') res.end();
    else await pipeline(this.store.openBlob(digest), res);
  };

  private deleteBlob: Handler = async (_req, res, { name, rest: digest }) => {
    checkDigest(digest);
    if (!(await this.store.unlinkBlob(name, digest))) throw new RegistryError('BLOB_UNKNOWN', { digest });
    res.writeHead(202, { 'Content-Length': 0, 'Docker-Content-Digest': digest }).end();
  };

  private uploadLocation(name: string, uuid: string): string {
    return `/v2/${name}/blobs/uploads/${uuid}`;
  }

  private created(res: ServerResponse, name: string, digest: string): void {
    res.writeHead(201, { Location: `/v2/${name}/blobs/${digest}`, 'Content-Length': 0, 'Docker-Content-Digest': digest }).end();
  }

  private accepted(res: ServerResponse, name: string, uuid: string, size: number, status = 202): void {
    res
      .writeHead(status, {
        Location: this.uploadLocation(name, uuid),
        Range: `0-${Math.max(0, size - 1)}`,
        'Content-Length': 0,
        'Docker-Upload-UUID': uuid,
      })
      .end();
  }

  private startUpload: Handler = async (req, res, { name }, url) => {
    const mount = url.searchParams.get('mount');
    const from = url.searchParams.get('from');
    if (mount && from) {
      checkDigest(mount);
      checkName(from);
      if (await this.store.mountBlob(name, mount, from)) return this.created(res, name, mount);
      // Not mountable: fall through to a normal upload, as the spec allows.
    }
    const uuid = await this.store.startUpload(name);
    const digest = url.searchParams.get('digest');
    if (digest) {
      // Monolithic upload: the whole blob in the POST body.
      checkDigest(digest);
      await this.store.appendUpload(name, uuid, req);
      await this.store.commitUpload(name, uuid, digest);
      return this.created(res, name, digest);
    }
    req.resume();
    this.accepted(res, name, uuid, 0);
  };

  private uploadStatus: Handler = async (_req, res, { name, rest: uuid }) => {
    this.accepted(res, name, uuid, await this.store.uploadSize(name, uuid), 204);
  };

  private patchUpload: Handler = async (req, res, { name, rest: uuid }) => {
    const size = await this.store.uploadSize(name, uuid);
    const range = req.headers['content-range'];
    if (range) {
      // Chunks must arrive in order: the next one starts where the upload ends.
      const m = /^(?:bytes[ =])?(\d+)-(\d+)$/.exec(range.trim());
      if (!m || Number(m[1]) !== size || Number(m[2]) < Number(m[1])) {
        res.writeHead(416, { Location: this.uploadLocation(name, uuid), Range: `0-${Math.max(0, size - 1)}`, 'Docker-Upload-UUID': uuid });
        res.end(new RegistryError('RANGE_INVALID', { range, uploaded: size }).body());
        req.resume();
        return;
      }
    }
    this.accepted(res, name, uuid, await this.store.appendUpload(name, uuid, req));
  };

  private putUpload: Handler = async (req, res, { name, rest: uuid }, url) => {
    const digest = url.searchParams.get('digest') ?? '';
    await this.store.uploadSize(name, uuid);
    try {
      checkDigest(digest);
    } catch (err) {
      req.resume();
      throw err;
    }
    await this.store.appendUpload(name, uuid, req);
    await this.store.commitUpload(name, uuid, digest);
    this.created(res, name, digest);
  };

  private cancelUpload: Handler = async (_req, res, { name, rest: uuid }) => {
    await this.store.cancelUpload(name, uuid);
    res.writeHead(204, { 'Content-Length': 0 }).end();
  };

  // ---- manifests

  private async resolve(name: string, ref: string): Promise<{ digest: string; mediaType: string }> {
    const digest = isDigest(ref) ? ref : await this.store.resolveTag(name, ref);
    const mediaType = digest && (await this.store.manifestType(name, digest));
    if (!digest || !mediaType) {
      if (!(await this.store.repoExists(name))) throw new RegistryError('NAME_UNKNOWN', { name });
      throw new RegistryError('MANIFEST_UNKNOWN', isDigest(ref) ? { digest: ref } : { tag: ref });
    }
    return { digest, mediaType };
  }

  private getManifest: Handler = async (req, res, { name, rest: ref }) => {
    const { digest, mediaType } = await this.resolve(name, ref);
    const body = await this.store.readBlob(digest);
    res.writeHead(200, {
      'Content-Type': mediaType,
      'Content-Length': body.length,
      'Docker-Content-Digest': digest,
      ETag: `"${digest}"`,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  private putManifest: Handler = async (req, res, { name, rest: ref }) => {
    const body = await readBody(req, maxManifestBytes);
    let digest: string;
    let tag: string | undefined;
    if (ref.includes(':')) {
      checkDigest(ref);
      digest = digestOf(ref.split(':')[0]!, body);
      if (digest !== ref) throw new RegistryError('DIGEST_INVALID', { expected: ref, actual: digest });
    } else {
      checkTag(ref);
      tag = ref;
      digest = digestOf('sha256', body);
    }
    const manifest = parseManifest(body, req.headers['content-type']);
    for (const b of manifest.blobs) {
      if ((await this.store.blobSize(name, b.digest)) === undefined) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { digest: b.digest });
    }
    for (const m of manifest.manifests) {
      if (!(await this.store.manifestType(name, m.digest))) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { digest: m.digest });
    }
    await this.store.putManifest(name, body, digest, manifest.mediaType, tag);
    this.log?.debug('manifest pushed', { name, ref, digest });
    res.writeHead(201, { Location: `/v2/${name}/manifests/${digest}`, 'Content-Length': 0, 'Docker-Content-Digest': digest }).end();
  };

  private deleteManifest: Handler = async (_req, res, { name, rest: ref }) => {
    const ok = isDigest(ref) ? await this.store.deleteManifest(name, ref) : await this.store.deleteTag(name, ref);
    if (!ok) {
      if (!(await this.store.repoExists(name))) throw new RegistryError('NAME_UNKNOWN', { name });
      throw new RegistryError('MANIFEST_UNKNOWN', { ref });
    }
    res.writeHead(202, { 'Content-Length': 0 }).end();
  };
}
