/**
 * @module OCI whiteouts (`.wh.<name>` deletes a lower entry, `.wh..wh..opq` hides a directory's
 * lower contents) and their overlayfs form, as containerd's overlay snapshotter writes them: a
 * character device 0/0 named `<name>`, and the `trusted.overlay.opaque=y` xattr on the directory.
 * Both need root; Node has no mknod/setxattr, so `mknod` (coreutils) and `setfattr` or
 * Python's `os.setxattr` do it. `probeOverlayWhiteouts` says whether this node can.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const whiteoutPrefix = '.wh.';
export const opaqueMarker = '.wh..wh..opq';

export interface Whiteouts {
  /** Paths (relative to the layer root) deleted by this layer. */
  deleted: string[];
  /** Directories (relative) whose lower contents this layer hides. */
  opaque: string[];
}

/** Normalises a tar entry path to a safe relative path, or undefined if it escapes the root. */
export function relativeEntryPath(p: string): string | undefined {
  const n = posix.normalize('/' + p).slice(1).replace(/\/$/, '');
  if (n.split('/').includes('..')) return undefined;
  return n;
}

/** Classifies an entry: a whiteout (recorded, not extracted) or an ordinary entry. */
export function recordWhiteout(path: string, into: Whiteouts): boolean {
  const rel = relativeEntryPath(path);
  if (rel === undefined) return true;
  const base = posix.basename(rel);
  if (!base.startsWith(whiteoutPrefix)) return false;
  const dir = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
  if (base === opaqueMarker) into.opaque.push(dir);
  else into.deleted.push(posix.join(dir, base.slice(whiteoutPrefix.length)));
  return true;
}

async function which(cmd: string): Promise<string | undefined> {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(':')]) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return undefined;
}

async function setOpaque(dir: string): Promise<void> {
  const setfattr = await which('setfattr');
  if (setfattr) {
    await run(setfattr, ['-n', 'trusted.overlay.opaque', '-v', 'y', dir]);
    return;
  }
  const python = await which('python3');
  if (!python) throw new Error('neither setfattr nor python3 is available to set overlay xattrs');
  await run(python, ['-c', 'import os,sys; os.setxattr(sys.argv[1], "trusted.overlay.opaque", b"y")', dir]);
}

/** Writes the layer's whiteouts into its unpacked directory in overlayfs form. */
export async function writeOverlayWhiteouts(root: string, w: Whiteouts): Promise<void> {
  for (const rel of w.deleted) {
    const path = join(root, rel);
    await mkdir(join(path, '..'), { recursive: true });
    await rm(path, { recursive: true, force: true });
    await run('mknod', ['-m', '000', path, 'c', '0', '0']);
  }
  for (const rel of w.opaque) {
    const dir = join(root, rel);
    await mkdir(dir, { recursive: true });
    await setOpaque(dir);
  }
}

/** Applies whiteouts to an already flattened root (the non-root fallback). */
export async function applyWhiteoutsFlat(root: string, w: Whiteouts): Promise<void> {
  const { readdir } = await import('node:fs/promises');
  for (const rel of w.deleted) await rm(join(root, rel), { recursive: true, force: true });
  for (const rel of w.opaque) {
    const dir = join(root, rel);
    const st = await stat(dir).catch(() => undefined);
    if (!st?.isDirectory()) continue;
    for (const e of await readdir(dir)) await rm(join(dir, e), { recursive: true, force: true });
  }
}

/** True when overlay whiteouts can be written under `dir` (root, mknod, trusted xattrs). */
export async function probeOverlayWhiteouts(dir: string): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const probe = join(dir, `probe-${process.pid}-${Date.now()}`);
  try {
    await mkdir(probe, { recursive: true });
    await writeOverlayWhiteouts(probe, { deleted: ['gone'], opaque: ['d'] });
    const st = await stat(join(probe, 'gone'));
    return st.isCharacterDevice() && st.rdev === 0;
  } catch {
    return false;
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
}
