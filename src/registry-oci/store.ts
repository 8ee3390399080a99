/**
 * @module The registry's content on disk, laid out as distribution's filesystem driver does:
 *
 * ```
 * <root>/blobs/sha256/<hex>                                   content (layers, configs, manifests), once
 * <root>/repositories/<name>/_layers/sha256/<hex>             the blob is linked into this repository
 * <root>/repositories/<name>/_manifests/revisions/sha256/<hex>  manifest revision (file holds its media type)
 * <root>/repositories/<name>/_manifests/tags/<tag>            tag → manifest digest
 * <root>/repositories/<name>/_uploads/<uuid>                  an upload in progress
 * ```
 *
 * Blobs are written to a temporary file, verified against their digest and renamed into
 * place, so a reader never sees partial content.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RegistryError } from './errors.ts';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

export function digestOf(algo: string, data: Buffer): string {
  return `${algo}:${createHash(algo).update(data).digest('hex')}`;
}

/** Hashes a file as a stream (layers can be large). */
async function hashFile(path: string, algo: string): Promise<string> {
  const h = createHash(algo);
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return `${algo}:${h.digest('hex')}`;
}

export class RegistryStore {
  constructor(readonly root: string) {}

  private blobPath(digest: string): string {
    const [algo, hex] = digest.split(':');
    return join(this.root, 'blobs', algo!, hex!);
  }
  private repo(name: string, ...rest: string[]): string {
    return join(this.root, 'repositories', ...name.split('/'), ...rest);
  }
  private link(name: string, digest: string): string {
    const [algo, hex] = digest.split(':');
    return this.repo(name, '_layers', algo!, hex!);
  }
  private revision(name: string, digest: string): string {
    const [algo, hex] = digest.split(':');
    return this.repo(name, '_manifests', 'revisions', algo!, hex!);
  }
  private upload(name: string, uuid: string): string {
    return this.repo(name, '_uploads', uuid);
  }

  async init(): Promise<void> {
    await mkdir(join(this.root, 'blobs'), { recursive: true });
    await mkdir(join(this.root, 'repositories'), { recursive: true });
    await mkdir(join(this.root, 'tmp'), { recursive: true });
  }

  async repoExists(name: string): Promise<boolean> {
    return (await exists(this.repo(name, '_manifests'))) || (await exists(this.repo(name, '_layers')));
  }

  // ---- blobs

  /** Size of the blob if it is linked into the repository. */
  async blobSize(name: string, digest: string): Promise<number | undefined> {
    if (!(await exists(this.link(name, digest)))) return undefined;
    return stat(this.blobPath(digest)).then(
      (s) => s.size,
      () => undefined,
    );
  }

  openBlob(digest: string): Readable {
    return createReadStream(this.blobPath(digest));
  }

  async linkBlob(name: string, digest: string): Promise<void> {
    const link = this.link(name, digest);
    await mkdir(dirname(link), { recursive: true });
    await writeFile(link, digest);
  }

  /** Links a blob already stored for another repository (cross-repository mount). */
  async mountBlob(name: string, digest: string, from: string): Promise<boolean> {
    if ((await this.blobSize(from, digest)) === undefined) return false;
    await this.linkBlob(name, digest);
    return true;
  }

  async unlinkBlob(name: string, digest: string): Promise<boolean> {
    const link = this.link(name, digest);
    if (!(await exists(link))) return false;
    await rm(link, { force: true });
    return true;
  }

  /** Stores bytes under their digest (manifests), linking them into the repository. */
  async putBytes(name: string, data: Buffer, digest: string): Promise<void> {
    const path = this.blobPath(digest);
    if (!(await exists(path))) {
      const tmp = join(this.root, 'tmp', randomUUID());
      await mkdir(dirname(path), { recursive: true });
      await writeFile(tmp, data);
      await rename(tmp, path);
    }
    await this.linkBlob(name, digest);
  }

  async readBlob(digest: string): Promise<Buffer> {
    return readFile(this.blobPath(digest));
  }

  // ---- uploads

  async startUpload(name: string): Promise<string> {
    const uuid = randomUUID();
    const path = this.upload(name, uuid);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, '');
    return uuid;
  }

  async uploadSize(name: string, uuid: string): Promise<number> {
    if (!/^[0-9a-f-]{36}$/.test(uuid)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { uuid });
    return stat(this.upload(name, uuid)).then(
      (s) => s.size,
      () => {
        throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { uuid });
      },
    );
  }

  /** Appends a chunk; returns the upload's new size. */
  async appendUpload(name: string, uuid: string, body: Readable): Promise<number> {
    await this.uploadSize(name, uuid);
    await pipeline(body, createWriteStream(this.upload(name, uuid), { flags: 'a' }));
    return this.uploadSize(name, uuid);
  }

  /** Verifies the upload against `digest` and moves it into the blob store. */
  async commitUpload(name: string, uuid: string, digest: string): Promise<number> {
    const path = this.upload(name, uuid);
    const size = await this.uploadSize(name, uuid);
    const actual = await hashFile(path, digest.split(':')[0]!);
    if (actual !== digest) {
      // Upstream cancels the upload on a digest mismatch: the client has to start over.
      await rm(path, { force: true });
      throw new RegistryError('DIGEST_INVALID', { expected: digest, actual });
    }
    const dest = this.blobPath(digest);
    await mkdir(dirname(dest), { recursive: true });
    if (await exists(dest)) await rm(path, { force: true });
    else await rename(path, dest);
    await this.linkBlob(name, digest);
    return size;
  }

  async cancelUpload(name: string, uuid: string): Promise<void> {
    await this.uploadSize(name, uuid);
    await rm(this.upload(name, uuid), { force: true });
  }

  // ---- manifests and tags

  async putManifest(name: string, data: Buffer, digest: string, mediaType: string, tag?: string): Promise<void> {
    await this.putBytes(name, data, digest);
    const rev = this.revision(name, digest);
    await mkdir(dirname(rev), { recursive: true });
    await writeFile(rev, mediaType);
    if (tag !== undefined) {
      const tagPath = this.repo(name, '_manifests', 'tags', tag);
      await mkdir(dirname(tagPath), { recursive: true });
      const tmp = join(this.root, 'tmp', randomUUID());
      await writeFile(tmp, digest);
      await rename(tmp, tagPath);
    }
  }

  async resolveTag(name: string, tag: string): Promise<string | undefined> {
    return (await readText(this.repo(name, '_manifests', 'tags', tag)))?.trim();
  }

  /** The manifest's media type when the repository has this revision. */
  async manifestType(name: string, digest: string): Promise<string | undefined> {
    return readText(this.revision(name, digest));
  }

  async tags(name: string): Promise<string[]> {
    const dir = this.repo(name, '_manifests', 'tags');
    return (await readdir(dir).catch(() => [] as string[])).sort();
  }

  async deleteTag(name: string, tag: string): Promise<boolean> {
    const path = this.repo(name, '_manifests', 'tags', tag);
    if (!(await exists(path))) return false;
    await rm(path, { force: true });
    return true;
  }

  /** Removes the revision and every tag that points at it. */
  async deleteManifest(name: string, digest: string): Promise<boolean> {
    const rev = this.revision(name, digest);
    if (!(await exists(rev))) return false;
    for (const tag of await this.tags(name)) if ((await this.resolveTag(name, tag)) === digest) await this.deleteTag(name, tag);
    await rm(rev, { force: true });
    return true;
  }

  /** Repositories with at least one manifest, sorted (the `_catalog`). */
  async repositories(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, prefix: string[]): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      if (entries.some((e) => e.name === '_manifests')) out.push(prefix.join('/'));
      for (const e of entries) if (e.isDirectory() && !e.name.startsWith('_')) await walk(join(dir, e.name), [...prefix, e.name]);
    };
    await walk(join(this.root, 'repositories'), []);
    return out.sort();
  }
}
