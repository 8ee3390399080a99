/**
 * @module Test helpers for the image store: push a local OCI image layout (or an index of
 * several) to a registry over plain HTTP with monolithic uploads — what skopeo does, without
 * needing skopeo.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

async function check(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

export async function pushBlob(registry: string, repo: string, digest: string, data: Buffer): Promise<void> {
  await check(await fetch(`http://${registry}/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: data }), `push ${digest}`);
}

export async function pushManifest(registry: string, repo: string, ref: string, body: Buffer | string, mediaType: string): Promise<string> {
  const res = await check(
    await fetch(`http://${registry}/v2/${repo}/manifests/${ref}`, { method: 'PUT', body, headers: { 'Content-Type': mediaType } }),
    `push manifest ${ref}`,
  );
  return res.headers.get('docker-content-digest')!;
}

/** Pushes the single image of an OCI layout as `repo:tag`; returns the manifest digest. */
export async function pushLayout(layoutDir: string, registry: string, repo: string, tag: string): Promise<string> {
  const blob = (d: string) => readFile(join(layoutDir, 'blobs', 'sha256', d.slice(7)));
  const index = JSON.parse(await readFile(join(layoutDir, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string }[] };
  const desc = index.manifests[0]!;
  const manifest = await blob(desc.digest);
  const doc = JSON.parse(manifest.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  for (const d of [doc.config.digest, ...doc.layers.map((l) => l.digest)]) await pushBlob(registry, repo, d, await blob(d));
  return pushManifest(registry, repo, tag, manifest, desc.mediaType);
}
