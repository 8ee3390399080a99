/**
 * @module Manifest media types and the checks a registry makes before it accepts a manifest:
 * well-formed JSON of a known type, and every blob (or child manifest) it refers to present.
 */
import { RegistryError } from './errors.ts';

export const mediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

const indexTypes: readonly string[] = [mediaTypes.ociIndex, mediaTypes.dockerList];
const manifestTypes: readonly string[] = [mediaTypes.ociManifest, mediaTypes.dockerManifest];

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
}

export interface ParsedManifest {
  mediaType: string;
  /** Blobs that must exist in the repository (config and layers). */
  blobs: Descriptor[];
  /** Manifests that must exist in the repository (children of an index). */
  manifests: Descriptor[];
}

function isDescriptor(d: unknown): d is Descriptor {
  const o = d as Descriptor | null;
  return !!o && typeof o === 'object' && typeof o.digest === 'string' && typeof o.size === 'number';
}

/** Parses a manifest body; the media type comes from Content-Type, else from the body. */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new RegistryError('MANIFEST_INVALID', { reason: `invalid JSON: ${(err as Error).message}` });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new RegistryError('MANIFEST_INVALID', { reason: 'not a JSON object' });
  const ct = contentType?.split(';')[0]?.trim();
  const bodyType = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  let mediaType = ct && ct !== 'application/json' && ct !== 'application/octet-stream' ? ct : bodyType;
  mediaType ??= Array.isArray(doc.manifests) ? mediaTypes.ociIndex : mediaTypes.ociManifest;
  if (bodyType && bodyType !== mediaType)
    throw new RegistryError('MANIFEST_INVALID', { reason: `mediaType in manifest (${bodyType}) does not match Content-Type (${mediaType})` });
  if (doc.schemaVersion !== 2) throw new RegistryError('MANIFEST_INVALID', { reason: 'schemaVersion must be 2' });

  if (indexTypes.includes(mediaType)) {
    const list = doc.manifests;
    if (!Array.isArray(list) || !list.every(isDescriptor)) throw new RegistryError('MANIFEST_INVALID', { reason: 'manifests must be descriptors' });
    return { mediaType, blobs: [], manifests: list };
  }
  if (manifestTypes.includes(mediaType)) {
    const layers = doc.layers ?? [];
    if (!isDescriptor(doc.config)) throw new RegistryError('MANIFEST_INVALID', { reason: 'config must be a descriptor' });
    if (!Array.isArray(layers) || !layers.every(isDescriptor)) throw new RegistryError('MANIFEST_INVALID', { reason: 'layers must be descriptors' });
    // Foreign (non-distributable) layers live elsewhere by definition.
    const local = layers.filter((l) => !(l.mediaType ?? '').includes('foreign') && !(l.mediaType ?? '').includes('nondistributable'));
    return { mediaType, blobs: [doc.config, ...local], manifests: [] };
  }
  throw new RegistryError('MANIFEST_INVALID', { reason: `unsupported manifest media type ${mediaType}` });
}
