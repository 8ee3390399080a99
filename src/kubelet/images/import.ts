/**
 * @module Loads an image archive into a node's image store without a registry, as
 * `k3s ctr images import` / `kind load` do: an OCI image layout tar (index.json + blobs/) or a
 * `docker save` tar (manifest.json + config + layer tars). Names come from the layout's
 * `io.containerd.image.name` / `org.opencontainers.image.ref.name` annotations or the
 * docker-save `RepoTags`.
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import * as tar from 'tar';
import { sha256Of } from './content-store.ts';
import type { BlobSource, OciImageService } from './image-service.ts';
import { selectPlatform, type DescriptorDoc, type ManifestDoc } from './manifest.ts';
import { normalizedName, parseReference } from './reference.ts';

export interface ImportedImage {
  /** Names the image is now known by on the node (may be empty for an unnamed layout entry). */
  names: string[];
  id: string;
  manifestDigest: string;
}

const indexTypes = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

function nameOf(desc: DescriptorDoc, fallback?: string): string | undefined {
  const full = desc.annotations?.['io.containerd.image.name'];
  const ref = desc.annotations?.['org.opencontainers.image.ref.name'];
  const candidate = full ?? (ref && /[/:]/.test(ref) ? ref : ref && fallback ? `${fallback}:${ref}` : undefined);
  if (!candidate) return undefined;
  try {
    return normalizedName(parseReference(candidate));
  } catch {
    return undefined;
  }
}

/** Blobs of an extracted archive, by digest; paths are confined to the archive's folder. */
function dirSource(root: string, pathOf: (digest: string) => string | undefined): BlobSource {
  return {
    async blob(digest) {
      const rel = pathOf(digest) ?? join('blobs', ...digest.split(':'));
      const path = resolve(root, rel);
      if (!path.startsWith(resolve(root) + sep)) throw new Error(`archive path ${rel} escapes the archive`);
      await stat(path);
      return createReadStream(path);
    },
  };
}

async function importLayout(svc: OciImageService, root: string, baseName?: string): Promise<ImportedImage[]> {
  const source = dirSource(root, () => undefined);
  const readBlob = async (d: string) => {
    const chunks: Buffer[] = [];
    for await (const c of await source.blob(d)) chunks.push(c as Buffer);
    const data = Buffer.concat(chunks);
    if (sha256Of(data) !== d) throw new Error(`blob ${d} in the archive does not match its digest`);
    return data;
  };
  const index = JSON.parse(await readFile(join(root, 'index.json'), 'utf8')) as ManifestDoc;
  const out: ImportedImage[] = [];
  for (const desc of index.manifests ?? []) {
    const name = nameOf(desc, baseName);
    let body = await readBlob(desc.digest);
    const repoDigest = desc.digest;
    const doc = JSON.parse(body.toString('utf8')) as ManifestDoc;
    if (indexTypes.includes(desc.mediaType ?? '') || Array.isArray(doc.manifests)) body = await readBlob(selectPlatform(doc, name ?? desc.digest).digest);
    const entry = await svc.storeImage(source, body, name ? [name] : [], repoDigest);
    out.push({ names: name ? [name] : [], id: entry.configDigest, manifestDigest: entry.manifestDigest });
  }
  return out;
}

interface DockerSaveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

async function importDockerSave(svc: OciImageService, root: string): Promise<ImportedImage[]> {
  const entries = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')) as DockerSaveEntry[];
  const out: ImportedImage[] = [];
  for (const e of entries) {
    const paths = new Map<string, string>();
    const describe = async (rel: string, mediaType: (gz: boolean) => string) => {
      const data = await readFile(resolve(root, rel));
      const digest = sha256Of(data);
      paths.set(digest, rel);
      const gz = data[0] === 0x1f && data[1] === 0x8b;
      return { mediaType: mediaType(gz), digest, size: data.length };
    };
    // docker save has no manifest of its own: synthesise the Docker v2 one, as containerd does.
    const config = await describe(e.Config, () => 'application/vnd.docker.container.image.v1+json');
    const layers = [];
    for (const l of e.Layers) layers.push(await describe(l, (gz) => (gz ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.docker.image.rootfs.diff.tar')));
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config, layers }));
    const names = (e.RepoTags ?? []).map((t) => normalizedName(parseReference(t)));
    const entry = await svc.storeImage(dirSource(root, (d) => paths.get(d)), manifest, names);
    out.push({ names, id: entry.configDigest, manifestDigest: entry.manifestDigest });
  }
  return out;
}

/** Imports every image of the archive at `file` into `svc`. `baseName` names bare-tag layout entries. */
export async function importImageArchive(svc: OciImageService, file: string, baseName?: string): Promise<ImportedImage[]> {
  await svc.mode();
  const tmp = await mkdtemp(join(svc.root, 'tmp', 'import-'));
  try {
    // node-tar detects gzip itself and refuses entries that would land outside `cwd`.
    await tar.x({ file, cwd: tmp, strict: true, preserveOwner: false });
    if (existsSync(join(tmp, 'index.json')) && existsSync(join(tmp, 'oci-layout'))) return await importLayout(svc, tmp, baseName);
    if (existsSync(join(tmp, 'manifest.json'))) return await importDockerSave(svc, tmp);
    throw new Error(`${file}: neither an OCI image layout (index.json, oci-layout) nor a docker save archive (manifest.json)`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
