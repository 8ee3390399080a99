/**
 * @module Pod volumes on the node, under `<podDir>/volumes/<plugin>/<name>` as the kubelet lays
 * them out: emptyDir (a folder; `medium: Memory` as tmpfs when root, sized by sizeLimit),
 * hostPath (with its type checks), configMap/secret/downwardAPI/projected through the
 * AtomicWriter (secrets on tmpfs when root), refreshed on every pod sync so updates reach
 * running pods. `mountsFor` turns a container's volumeMounts (subPath, subPathExpr) into
 * runtime mounts. persistentVolumeClaim belongs to the storage work and fails as unsupported.
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir, open, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Container, Pod, Volume } from 'kubernetes-types/core/v1.js';
import { expand } from '../expansion.ts';
import { parseQuantity } from '../quantity.ts';
import type { Mount } from '../runtime/interface.ts';
import { writeAtomic } from './atomic-writer.ts';
import { volumePayload, type VolumeSources } from './sources.ts';

const run = promisify(execFile);

function plugin(vol: Volume): string {
  if (vol.emptyDir) return 'kubernetes.io~empty-dir';
  if (vol.configMap) return 'kubernetes.io~configmap';
  if (vol.secret) return 'kubernetes.io~secret';
  if (vol.downwardAPI) return 'kubernetes.io~downward-api';
  if (vol.projected) return 'kubernetes.io~projected';
  if (vol.hostPath) return 'kubernetes.io~host-path';
  throw new Error(`volume "${vol.name}": this kind of volume is not supported by this kubelet yet`);
}

async function isMounted(path: string): Promise<boolean> {
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  return mounts.split('\n').some((l) => l.split(' ')[1] === path);
}

async function mountTmpfs(dir: string, sizeBytes?: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (await isMounted(dir)) return;
  const opts = ['mode=0777', ...(sizeBytes ? [`size=${Math.ceil(sizeBytes)}`] : [])];
  await run('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'tmpfs', dir]);
}

async function checkHostPath(path: string, type: string): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  const fail = (what: string) => {
    throw new Error(`hostPath type check failed: ${path} is not ${what}`);
  };
  switch (type) {
    case 'DirectoryOrCreate':
      if (!st) await mkdir(path, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory()) fail('a directory');
      return;
    case 'FileOrCreate':
      if (!st) await (await open(path, 'a', 0o644)).close();
      else if (!st.isFile()) fail('a file');
      return;
    case 'Directory': if (!st?.isDirectory()) fail('a directory'); return;
    case 'File': if (!st?.isFile()) fail('a file'); return;
    case 'Socket': if (!st?.isSocket()) fail('a socket'); return;
    case 'CharDevice': if (!st?.isCharacterDevice()) fail('a character device'); return;
    case 'BlockDevice': if (!st?.isBlockDevice()) fail('a block device'); return;
  }
}

export class VolumeManager {
  constructor(private readonly opts: { useTmpfs: boolean }) {}

  volumeDir(podDir: string, vol: Volume): string {
    if (vol.hostPath) return vol.hostPath.path;
    return join(podDir, 'volumes', plugin(vol), vol.name);
  }

  /** Creates or refreshes every volume of the pod; returns volume name → host path. */
  async setUp(pod: Pod, podDir: string, src: VolumeSources): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const vol of pod.spec?.volumes ?? []) {
      const dir = this.volumeDir(podDir, vol);
      if (vol.emptyDir) {
        if (vol.emptyDir.medium === 'Memory' && this.opts.useTmpfs) await mountTmpfs(dir, parseQuantity(vol.emptyDir.sizeLimit));
        else await mkdir(dir, { recursive: true, mode: 0o777 });
      } else if (vol.hostPath) await checkHostPath(dir, vol.hostPath.type ?? '');
      else {
        const payload = await volumePayload(pod, vol, src);
        if (!payload) throw new Error(`volume "${vol.name}": this kind of volume is not supported by this kubelet yet`);
        if (vol.secret && this.opts.useTmpfs) await mountTmpfs(dir);
        await writeAtomic(dir, payload);
      }
      out.set(vol.name, dir);
    }
    return out;
  }

  /** Removes the pod's volumes (unmounting tmpfs first); hostPath folders are left alone. */
  async tearDown(podDir: string): Promise<void> {
    const root = resolve(podDir, 'volumes');
    const mounts = (await readFile('/proc/mounts', 'utf8').catch(() => '')).split('\n').map((l) => l.split(' ')[1] ?? '');
    for (const m of mounts.filter((p) => p.startsWith(root + '/'))) await run('umount', ['-l', m]).catch(() => {});
    await rm(root, { recursive: true, force: true });
  }
}

/** The runtime mounts of a container: volumeMounts with subPath / subPathExpr resolved. */
export function mountsFor(container: Container, volumes: Map<string, string>, env: { name: string; value: string }[]): Mount[] {
  const vars = new Map(env.map((e) => [e.name, e.value]));
  return (container.volumeMounts ?? []).map((vm) => {
    const base = volumes.get(vm.name);
    if (!base) throw new Error(`volume "${vm.name}" not found for mount ${vm.mountPath}`);
    const sub = vm.subPathExpr ? expand(vm.subPathExpr, (n) => vars.get(n)) : vm.subPath;
    if (sub && (sub.startsWith('/') || sub.split('/').includes('..'))) throw new Error(`invalid subPath ${sub}`);
    return { containerPath: vm.mountPath, hostPath: sub ? join(base, sub) : base, readOnly: !!vm.readOnly, volumeName: vm.name };
  });
}
