/**
 * @module Per-container overlay root filesystems: the image's unpacked read-only layers as
 * lowerdir (topmost first, shared by every container of the image), upper and work dirs in
 * the container's own folder (same filesystem, as overlayfs requires).
 */
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { must, run } from './cmd.js';

export async function mountRootfs(containerDir: string, layers: string[]): Promise<string> {
  if (!layers.length) throw new Error('image has no layers');
  const rootfs = join(containerDir, 'rootfs');
  const upper = join(containerDir, 'upper');
  const work = join(containerDir, 'work');
  for (const d of [rootfs, upper, work]) await mkdir(d, { recursive: true });
  if (await isMounted(rootfs)) return rootfs;
  await must('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${layers.join(':')},upperdir=${upper},workdir=${work}`, rootfs]);
  return rootfs;
}

export async function unmountRootfs(containerDir: string): Promise<void> {
  const rootfs = join(containerDir, 'rootfs');
  if (existsSync(rootfs) && (await isMounted(rootfs))) {
    const r = await run('umount', [rootfs]);
    if (r.code !== 0) await run('umount', ['-l', rootfs]);
  }
}

/**
 * `mountpoint -q` without the spawn: a mount point lies on another device than its parent
 * (overlay gets its own) or is the same inode as its parent (a bind of the parent onto itself).
 */
async function isMounted(path: string): Promise<boolean> {
  try {
    const [s, p] = await Promise.all([stat(path), stat(dirname(path))]);
    return s.dev !== p.dev || s.ino === p.ino;
  } catch {
    return false;
  }
}
