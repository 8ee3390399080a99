/**
 * @module Per-container overlay root filesystems: the image's unpacked read-only layers as
 * lowerdir (topmost first, shared by every container of the image), upper and work dirs in
 * the container's own folder (same filesystem, as overlayfs requires).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
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

async function isMounted(path: string): Promise<boolean> {
  return (await run('mountpoint', ['-q', path])).code === 0;
}
