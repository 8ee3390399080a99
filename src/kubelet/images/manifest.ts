/**
 * @module The pull side's view of manifests and image configs: an image manifest's config and
 * layers, and the choice of the linux/amd64 entry of an image index (manifest list).
 */
import type { OciImageConfig } from '../runtime/interface.ts';
import { ImagePullError } from './registry-client.ts';

export interface DescriptorDoc {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface ManifestDoc {
  schemaVersion?: number;
  mediaType?: string;
  config?: DescriptorDoc;
  layers?: DescriptorDoc[];
  manifests?: DescriptorDoc[];
}

export interface ImageConfigDoc {
  architecture?: string;
  os?: string;
  config?: OciImageConfig;
  rootfs?: { type?: string; diff_ids?: string[] };
}

const digestRe = /^sha256:[a-f0-9]{64}$/;

function isDescriptor(d: unknown): d is DescriptorDoc {
  const o = d as DescriptorDoc | null;
  return !!o && typeof o.digest === 'string' && digestRe.test(o.digest) && typeof o.size === 'number';
}

export function parseImageManifest(body: Buffer): { config: DescriptorDoc; layers: DescriptorDoc[] } {
  let doc: ManifestDoc;
  try {
    doc = JSON.parse(body.toString('utf8')) as ManifestDoc;
  } catch {
    throw new ImagePullError('manifest is not JSON', 'Invalid');
  }
  if (doc.schemaVersion !== 2) throw new ImagePullError(`unsupported manifest schemaVersion ${String(doc.schemaVersion)}`, 'Invalid');
  const layers = doc.layers ?? [];
  if (!isDescriptor(doc.config) || !Array.isArray(layers) || !layers.every(isDescriptor))
    throw new ImagePullError('manifest has no valid config and layers', 'Invalid');
  return { config: doc.config, layers };
}

/** The linux/amd64 manifest of an index (the platform every Skiff node is). */
export function selectPlatform(index: ManifestDoc, name: string): DescriptorDoc {
  const entries = (index.manifests ?? []).filter(isDescriptor);
  const match = entries.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64' && (!m.platform.variant || m.platform.variant === 'v1'))
    ?? entries.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64');
  if (match) return match;
  if (entries.length === 1 && !entries[0]!.platform) return entries[0]!;
  throw new ImagePullError(`no matching manifest for linux/amd64 in the manifest list entries of ${name}`, 'NotFound');
}
