/**
 * @module For this folder's tests only: a one-image `UnpackedImageService` over a busybox root
 * filesystem built from the host's static /bin/busybox (one layer dir with applet symlinks),
 * so the runtime's tests do not depend on the registry or the image store.
 */
import { existsSync } from 'node:fs';
import { mkdir, symlink, copyFile, chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './cmd.js';
import type { ImageInfo, ImageRef, OciImageConfig, UnpackedImageService } from '../interface.js';

export const TEST_IMAGE_ID = 'sha256:' + '0'.repeat(63) + '1';

export async function buildBusyboxLayer(dir: string): Promise<string> {
  const layer = join(dir, 'layer');
  await mkdir(join(layer, 'bin'), { recursive: true });
  for (const d of ['etc', 'tmp', 'proc', 'sys', 'dev', 'root', 'www']) await mkdir(join(layer, d), { recursive: true });
  await copyFile('/bin/busybox', join(layer, 'bin/busybox'));
  await chmod(join(layer, 'bin/busybox'), 0o755);
  const applets = (await run('/bin/busybox', ['--list'])).stdout.split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) if (!existsSync(join(layer, 'bin', a))) await symlink('busybox', join(layer, 'bin', a));
  await writeFile(join(layer, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  await writeFile(join(layer, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  return layer;
}

export class LocalImageService implements UnpackedImageService {
  constructor(
    private readonly layer: string,
    private readonly config: OciImageConfig = { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
  ) {}
  async pullImage(name: string): Promise<ImageRef> {
    return { name, id: TEST_IMAGE_ID };
  }
  async imageStatus(name: string): Promise<ImageInfo | undefined> {
    return { name, id: TEST_IMAGE_ID, sizeBytes: 0, repoTags: [name] };
  }
  async listImages(): Promise<ImageInfo[]> {
    return [];
  }
  async removeImage(): Promise<void> {}
  async layerDirs(): Promise<string[]> {
    return [this.layer];
  }
  async imageConfig(): Promise<OciImageConfig> {
    return this.config;
  }
}

/** Why runc tests cannot run here, or false. */
export function runcSkipReason(binary: 'runc' | 'crun'): string | false {
  if (process.getuid?.() !== 0) return 'needs root';
  for (const b of [binary, 'conmon', 'busybox']) {
    if (!['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(`${d}/${b}`))) return `${b} is not installed`;
  }
  return false;
}
