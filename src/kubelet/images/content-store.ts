/**
 * @module The node's content-addressed blob store (`<root>/blobs/sha256/<hex>`) and its name
 * index (`<root>/index.json`: image name → manifest and config digests). Blobs are written to
 * a temporary file, checked against digest and size, then renamed: a blob that exists is whole.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface IndexEntry {
  /** Digest of the manifest this node unpacked (the linux/amd64 one of an index). */
  manifestDigest: string;
  /** Digest of what the name resolved to at the registry (the index, for multi-arch images). */
  repoDigest: string;
  configDigest: string;
}

export type ImageIndex = Record<string, IndexEntry>;

export function sha256Of(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export class ContentStore {
  constructor(readonly root: string) {}

  blobPath(digest: string): string {
    const [algo, hex] = digest.split(':');
    if (algo !== 'sha256' || !/^[a-f0-9]{64}$/.test(hex ?? '')) throw new Error(`unsupported digest ${digest}`);
    return join(this.root, 'blobs', 'sha256', hex!);
  }

  async init(): Promise<void> {
    await mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true });
    await mkdir(join(this.root, 'tmp'), { recursive: true });
  }

  tmpPath(): string {
    return join(this.root, 'tmp', randomUUID());
  }

  async has(digest: string): Promise<boolean> {
    return stat(this.blobPath(digest)).then(
      () => true,
      () => false,
    );
  }

  async size(digest: string): Promise<number> {
    return (await stat(this.blobPath(digest))).size;
  }

  async read(digest: string): Promise<Buffer> {
    return readFile(this.blobPath(digest));
  }

  open(digest: string): Readable {
    return createReadStream(this.blobPath(digest));
  }

  /** Stores a stream, refusing it unless it hashes to `digest` (and has `size` bytes, when given). */
  async write(digest: string, source: Readable, size?: number): Promise<void> {
    const tmp = this.tmpPath();
    const hash = createHash('sha256');
    let n = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        n += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      await pipeline(source, tap, createWriteStream(tmp));
      const actual = 'sha256:' + hash.digest('hex');
      if (actual !== digest) throw new Error(`digest mismatch: expected ${digest}, got ${actual}`);
      if (size !== undefined && n !== size) throw new Error(`size mismatch for ${digest}: expected ${size}, got ${n}`);
      await rename(tmp, this.blobPath(digest));
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async writeBytes(digest: string, data: Buffer): Promise<void> {
    if (sha256Of(data) !== digest) throw new Error(`digest mismatch: expected ${digest}, got ${sha256Of(data)}`);
    if (await this.has(digest)) return;
    const tmp = this.tmpPath();
    await writeFile(tmp, data);
    await rename(tmp, this.blobPath(digest));
  }

  async remove(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }

  async readIndex(): Promise<ImageIndex> {
    try {
      return JSON.parse(await readFile(join(this.root, 'index.json'), 'utf8')) as ImageIndex;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
  }

  async writeIndex(index: ImageIndex): Promise<void> {
    const tmp = this.tmpPath();
    await writeFile(tmp, JSON.stringify(index, null, 2));
    await rename(tmp, join(this.root, 'index.json'));
  }
}
