/**
 * @module Unpacks one layer tar (gzip or plain) into a directory with the `tar` package,
 * hashing the uncompressed stream on the way so the result is checked against the image
 * config's `diff_id`. Whiteout entries are not extracted but returned, for the caller to
 * write in overlayfs form or apply to a flattened root.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';
import { recordWhiteout, type Whiteouts } from './whiteouts.ts';

export const layerMediaTypes = [
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
];

/** Whether a layer blob is gzip-compressed, by media type (docker-save layers are plain tars). */
export function isGzipLayer(mediaType: string | undefined): boolean {
  if (mediaType?.includes('zstd')) throw new Error(`layer media type ${mediaType} is not supported (zstd)`);
  return !!mediaType && mediaType.includes('gzip');
}

export async function unpackLayer(
  source: Readable,
  opts: { dest: string; gzip: boolean; diffId?: string },
): Promise<{ whiteouts: Whiteouts; diffId: string }> {
  const whiteouts: Whiteouts = { deleted: [], opaque: [] };
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const asRoot = process.getuid?.() === 0;
  const extract = tar.x({
    cwd: opts.dest,
    // Keep the image's ownership and modes exactly (as root); never follow paths out of dest.
    preserveOwner: asRoot,
    chmod: true,
    processUmask: 0,
    umask: 0,
    unlink: true,
    strict: false,
    filter: (path) => !recordWhiteout(path, whiteouts),
  });
  const stages: NodeJS.ReadWriteStream[] = opts.gzip ? [createGunzip(), tap] : [tap];
  await pipeline(source, ...(stages as [Transform]), extract as unknown as NodeJS.WritableStream);
  const diffId = 'sha256:' + hash.digest('hex');
  if (opts.diffId && diffId !== opts.diffId) throw new Error(`layer diff_id mismatch: config says ${opts.diffId}, content is ${diffId}`);
  return { whiteouts, diffId };
}

/** Lists a layer's whiteouts without extracting (the flattening fallback applies them first). */
export async function scanWhiteouts(source: Readable, gzip: boolean): Promise<Whiteouts> {
  const whiteouts: Whiteouts = { deleted: [], opaque: [] };
  const list = tar.t({ onReadEntry: (e) => void recordWhiteout(e.path, whiteouts) });
  await pipeline(source, ...((gzip ? [createGunzip()] : []) as [Transform]), list as unknown as NodeJS.WritableStream);
  return whiteouts;
}
