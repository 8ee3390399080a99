/**
 * @module The node's image store (`UnpackedImageService`): pulls over the OCI distribution
 * protocol, keeps every blob once under `<root>/blobs/sha256/`, indexes names in
 * `<root>/index.json`, and unpacks each layer once into `<root>/layers/<diffid hex>/` as a
 * read-only overlayfs lowerdir shared by every image that has it. Without root (no mknod or
 * trusted xattrs) it falls back to one flattened root per image under `<root>/rootfs/`.
 * Concurrent pulls of one image, blob or layer do the work once.
 *
 * ```
 * pullImage(name) ─► manifest (index → linux/amd64) ─► config ─► blobs ─► layers/<diffid>/
 *                                                                      └► index.json name → digests
 * ```
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from '../../util/log.ts';
import type { ImageInfo, ImageRef, OciImageConfig, RegistryAuth, UnpackedImageService } from '../runtime/interface.ts';
import { ContentStore, sha256Of, type IndexEntry } from './content-store.ts';
import { parseImageManifest, selectPlatform, type ImageConfigDoc, type ManifestDoc } from './manifest.ts';
import { normalizedName, parseReference } from './reference.ts';
import { ImagePullError, RegistryClient } from './registry-client.ts';
import { isGzipLayer, scanWhiteouts, unpackLayer } from './unpack.ts';
import { applyWhiteoutsFlat, probeOverlayWhiteouts, writeOverlayWhiteouts } from './whiteouts.ts';

/** Where blobs come from: a registry, or an unpacked archive (`skiff image import`). */
export interface BlobSource {
  blob(digest: string): Promise<Readable>;
}

export type UnpackMode = 'overlay' | 'flatten';

export interface ImageServiceOptions {
  /** Force a mode; by default overlay when this node can write overlay whiteouts. */
  mode?: UnpackMode;
  logger?: Logger;
}

const hex = (digest: string) => digest.slice(digest.indexOf(':') + 1);

/** Index keys are normalised references, so `busybox` and `docker.io/library/busybox:latest` meet. */
function indexKey(name: string): string {
  try {
    return normalizedName(parseReference(name));
  } catch {
    return name;
  }
}

export class OciImageService implements UnpackedImageService {
  readonly content: ContentStore;
  private ready?: Promise<UnpackMode>;
  private readonly flights = new Map<string, Promise<unknown>>();
  private indexLock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly root: string,
    private readonly opts: ImageServiceOptions = {},
  ) {
    this.content = new ContentStore(root);
  }

  /** The unpack mode in use (probed once). */
  mode(): Promise<UnpackMode> {
    this.ready ??= (async () => {
      await this.content.init();
      await mkdir(join(this.root, 'layers'), { recursive: true });
      if (this.opts.mode) return this.opts.mode;
      return (await probeOverlayWhiteouts(join(this.root, 'tmp'))) ? 'overlay' : 'flatten';
    })();
    return this.ready;
  }

  /** Runs `fn` once per key at a time; concurrent callers share its result. */
  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.flights.get(key);
    if (running) return running as Promise<T>;
    const p = fn().finally(() => this.flights.delete(key));
    this.flights.set(key, p);
    return p;
  }

  private withIndex<T>(fn: (index: Record<string, IndexEntry>) => Promise<T> | T): Promise<T> {
    const next = this.indexLock.then(async () => {
      const index = await this.content.readIndex();
      const out = await fn(index);
      await this.content.writeIndex(index);
      return out;
    });
    this.indexLock = next.catch(() => {});
    return next;
  }

  async pullImage(name: string, auth?: RegistryAuth, signal?: AbortSignal): Promise<ImageRef> {
    await this.mode();
    let ref;
    try {
      ref = parseReference(name);
    } catch (err) {
      throw new ImagePullError((err as Error).message, 'Invalid');
    }
    const key = normalizedName(ref);
    const entry = await this.once(`pull:${key}`, async () => {
      const client = new RegistryClient(ref, auth, signal);
      const top = await client.manifest(ref.digest ?? ref.tag!);
      const repoDigest = sha256Of(top.body);
      if (ref.digest && repoDigest !== ref.digest) throw new ImagePullError(`${name}: manifest digest mismatch (got ${repoDigest})`, 'Invalid');
      let body = top.body;
      let doc = JSON.parse(body.toString('utf8')) as ManifestDoc;
      if (Array.isArray(doc.manifests)) {
        const chosen = selectPlatform(doc, name);
        const child = await client.manifest(chosen.digest);
        if (sha256Of(child.body) !== chosen.digest) throw new ImagePullError(`${name}: manifest digest mismatch for ${chosen.digest}`, 'Invalid');
        body = child.body;
        doc = JSON.parse(body.toString('utf8')) as ManifestDoc;
      }
      return this.storeImage({ blob: (d) => client.blob(d) }, body, [key], repoDigest);
    });
    return { name, id: entry.configDigest, digestRef: `${ref.registry}/${ref.repository}@${entry.repoDigest}` };
  }

  /** Stores an image manifest's blobs from `source`, unpacks its layers and indexes it under `names`. */
  async storeImage(source: BlobSource, manifestBody: Buffer, names: string[], repoDigest?: string): Promise<IndexEntry> {
    const mode = await this.mode();
    const manifestDigest = sha256Of(manifestBody);
    const manifest = parseImageManifest(manifestBody);
    await this.ensureBlob(source, manifest.config.digest, manifest.config.size);
    const config = JSON.parse((await this.content.read(manifest.config.digest)).toString('utf8')) as ImageConfigDoc;
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== manifest.layers.length)
      throw new ImagePullError(`image config has ${diffIds.length} diff_ids for ${manifest.layers.length} layers`, 'Invalid');
    await Promise.all(manifest.layers.map((l) => this.ensureBlob(source, l.digest, l.size)));
    if (mode === 'overlay') {
      for (const [i, l] of manifest.layers.entries()) await this.ensureLayer(diffIds[i]!, l.digest, l.mediaType);
    } else {
      await this.ensureFlat(manifest.config.digest, manifest.layers, diffIds);
    }
    await this.content.writeBytes(manifestDigest, manifestBody);
    const entry: IndexEntry = { manifestDigest, repoDigest: repoDigest ?? manifestDigest, configDigest: manifest.config.digest };
    await this.withIndex((index) => {
      for (const n of names) index[indexKey(n)] = entry;
    });
    return entry;
  }

  private ensureBlob(source: BlobSource, digest: string, size?: number): Promise<void> {
    return this.once(`blob:${digest}`, async () => {
      if (await this.content.has(digest)) return;
      await this.content.write(digest, await source.blob(digest), size);
    });
  }

  private layerDir(diffId: string): string {
    return join(this.root, 'layers', hex(diffId));
  }

  private async exists(path: string): Promise<boolean> {
    return stat(path).then(
      () => true,
      () => false,
    );
  }

  /** Unpacks one layer into its shared directory, once; the directory appears whole or not at all. */
  private ensureLayer(diffId: string, blobDigest: string, mediaType: string | undefined): Promise<void> {
    return this.once(`layer:${diffId}`, async () => {
      const dest = this.layerDir(diffId);
      if (await this.exists(dest)) return;
      const tmp = join(this.root, 'layers', `.tmp-${randomUUID()}`);
      await mkdir(tmp, { recursive: true });
      try {
        const { whiteouts } = await unpackLayer(this.content.open(blobDigest), { dest: tmp, gzip: isGzipLayer(mediaType), diffId });
        await writeOverlayWhiteouts(tmp, whiteouts);
        await rename(tmp, dest);
        this.opts.logger?.debug('layer unpacked', { diffId });
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    });
  }

  /** Non-root fallback: the layers applied in order into one root per image config. */
  private ensureFlat(configDigest: string, layers: { digest: string; mediaType?: string }[], diffIds: string[]): Promise<void> {
    return this.once(`flat:${configDigest}`, async () => {
      const dest = join(this.root, 'rootfs', hex(configDigest));
      if (await this.exists(dest)) return;
      const tmp = join(this.root, 'rootfs', `.tmp-${randomUUID()}`);
      await mkdir(tmp, { recursive: true });
      try {
        for (const [i, l] of layers.entries()) {
          const gzip = isGzipLayer(l.mediaType);
          // Whiteouts hide what lower layers put there, so they go before this layer's own entries.
          await applyWhiteoutsFlat(tmp, await scanWhiteouts(this.content.open(l.digest), gzip));
          await unpackLayer(this.content.open(l.digest), { dest: tmp, gzip, diffId: diffIds[i] });
        }
        await rename(tmp, dest);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    });
  }

  private async config(imageId: string): Promise<ImageConfigDoc> {
    if (!(await this.content.has(imageId).catch(() => false))) throw new Error(`image ${imageId} not found`);
    return JSON.parse((await this.content.read(imageId)).toString('utf8')) as ImageConfigDoc;
  }

  async layerDirs(imageId: string): Promise<string[]> {
    const cfg = await this.config(imageId);
    if ((await this.mode()) === 'flatten') return [join(this.root, 'rootfs', hex(imageId))];
    return (cfg.rootfs?.diff_ids ?? []).map((d) => this.layerDir(d)).reverse();
  }

  async imageConfig(imageId: string): Promise<OciImageConfig> {
    return (await this.config(imageId)).config ?? {};
  }

  /** Names in the index that `name` stands for: a reference, an image id, or a digest reference. */
  private async lookup(name: string): Promise<{ key: string; entry: IndexEntry }[]> {
    await this.mode();
    const index = await this.content.readIndex();
    const all = Object.entries(index).map(([key, entry]) => ({ key, entry }));
    if (/^(sha256:)?[a-f0-9]{64}$/.test(name)) {
      const id = name.startsWith('sha256:') ? name : `sha256:${name}`;
      return all.filter((e) => e.entry.configDigest === id);
    }
    let key: string;
    try {
      key = normalizedName(parseReference(name));
    } catch {
      return [];
    }
    const hit = all.find((e) => e.key === key);
    if (hit) return [hit];
    const ref = parseReference(name);
    if (ref.digest) {
      const repo = `${ref.registry}/${ref.repository}`;
      return all.filter((e) => (e.key.startsWith(`${repo}:`) || e.key.startsWith(`${repo}@`)) && (e.entry.repoDigest === ref.digest || e.entry.manifestDigest === ref.digest)).slice(0, 1);
    }
    return [];
  }

  private async info(name: string, entry: IndexEntry, names: string[]): Promise<ImageInfo> {
    let sizeBytes = 0;
    try {
      const m = parseImageManifest(await this.content.read(entry.manifestDigest));
      sizeBytes = m.config.size + m.layers.reduce((s, l) => s + l.size, 0);
    } catch {
      /* manifest gone: size unknown */
    }
    const repo = name.replace(/(@sha256:[a-f0-9]{64}|:[^/:]+)$/, '');
    return { name, id: entry.configDigest, digestRef: `${repo}@${entry.repoDigest}`, sizeBytes, repoTags: names.filter((n) => !n.includes('@')) };
  }

  async imageStatus(name: string): Promise<ImageInfo | undefined> {
    const [hit] = await this.lookup(name);
    if (!hit) return undefined;
    const index = await this.content.readIndex();
    const names = Object.keys(index).filter((k) => index[k]!.configDigest === hit.entry.configDigest);
    return this.info(name, hit.entry, names);
  }

  async listImages(): Promise<ImageInfo[]> {
    await this.mode();
    const index = await this.content.readIndex();
    const byId = new Map<string, string[]>();
    for (const [k, e] of Object.entries(index)) byId.set(e.configDigest, [...(byId.get(e.configDigest) ?? []), k]);
    return Promise.all([...byId.values()].map((names) => this.info(names[0]!, index[names[0]!]!, names)));
  }

  /** Forgets the name (an image id forgets every name) and frees content no image uses any more. */
  async removeImage(name: string): Promise<void> {
    const hits = await this.lookup(name);
    if (hits.length === 0) return;
    await this.withIndex(async (index) => {
      for (const h of hits) delete index[h.key];
      await this.collect(index);
    });
  }

  private async collect(index: Record<string, IndexEntry>): Promise<void> {
    const { readdir } = await import('node:fs/promises');
    const keepBlobs = new Set<string>();
    const keepLayers = new Set<string>();
    const keepFlat = new Set<string>();
    for (const e of Object.values(index)) {
      keepBlobs.add(e.manifestDigest).add(e.configDigest);
      keepFlat.add(hex(e.configDigest));
      try {
        for (const l of parseImageManifest(await this.content.read(e.manifestDigest)).layers) keepBlobs.add(l.digest);
        for (const d of (await this.config(e.configDigest)).rootfs?.diff_ids ?? []) keepLayers.add(hex(d));
      } catch {
        /* unreadable: keep what we can */
      }
    }
    for (const f of await readdir(join(this.root, 'blobs', 'sha256'))) if (!keepBlobs.has(`sha256:${f}`)) await rm(join(this.root, 'blobs', 'sha256', f), { force: true });
    for (const d of await readdir(join(this.root, 'layers'))) if (!d.startsWith('.') && !keepLayers.has(d)) await rm(join(this.root, 'layers', d), { recursive: true, force: true });
    for (const d of await readdir(join(this.root, 'rootfs')).catch(() => [] as string[]))
      if (!d.startsWith('.') && !keepFlat.has(d)) await rm(join(this.root, 'rootfs', d), { recursive: true, force: true });
  }
}
