/**
 * @module Pod volumes on the node, under `<podDir>/volumes/<plugin>/<name>` as the kubelet lays
 * them out: emptyDir (a folder; `medium: Memory` as tmpfs when root, sized by sizeLimit),
 * hostPath (with its type checks), configMap/secret/downwardAPI/projected through the
 * AtomicWriter (secrets on tmpfs when root), refreshed on every pod sync so updates reach
 * running pods. `mountsFor` turns a container's volumeMounts (subPath, subPathExpr) into
 * runtime mounts (a missing subPath directory is created, as upstream). persistentVolumeClaim
 * volumes resolve to their bound PV's directory (`claims.ts`); `readOnly` on the claim volume
 * makes its mounts read-only.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { lstat, mkdir, open, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Container, Pod, Volume } from 'kubernetes-types/core/v1.js';
import { expand } from '../expansion.ts';
import { parseQuantity } from '../quantity.ts';
import type { Mount } from '../runtime/interface.ts';
import { writeAtomic } from './atomic-writer.ts';
import { claimHostPath } from './claims.ts';
import { volumePayload, type VolumeSources } from './sources.ts';

const run = promisify(execFile);

function plugin(vol: Volume): string {
  if (vol.emptyDir) return 'kubernetes.io~empty-dir';
  if (vol.configMap) return 'kubernetes.io~configmap';
  if (vol.secret) return 'kubernetes.io~secret';
  if (vol.downwardAPI) return 'kubernetes.io~downward-api';
  if (vol.projected) return 'kubernetes.io~projected';
  if (vol.hostPath) return 'kubernetes.io~host-path';
  throw new Error('this kind of volume is not supported by this kubelet yet');
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

/**
 * A volume the kubelet could not set up, with the message of upstream's FailedMount event:
 * the volume manager's "Unable to attach or mount volumes" for a claim it cannot process,
 * the operation executor's "MountVolume.SetUp failed for volume" / "MountVolume.NodeAffinity
 * check failed" for the rest.
 */
export class VolumeSetUpError extends Error {
  constructor(readonly volume: string, stage: 'process' | 'affinity' | 'setup', detail: string) {
    super(
      stage === 'process'
        ? `Unable to attach or mount volumes: unmounted volumes=[${volume}], unattached volumes=[${volume}], failed to process volumes=[${volume}]: ${detail}`
        : stage === 'affinity'
          ? `MountVolume.${detail}`
          : `MountVolume.SetUp failed for volume "${volume}" : ${detail}`,
    );
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
    const out = new VolumePaths();
    for (const vol of pod.spec?.volumes ?? []) {
      if (vol.persistentVolumeClaim) {
        if (!src.claims) throw new VolumeSetUpError(vol.name, 'process', 'persistentVolumeClaim volumes need the API (no claim source)');
        const claimName = vol.persistentVolumeClaim.claimName;
        const path = await claimHostPath(pod.metadata?.namespace ?? 'default', claimName, src.claims).catch((err: Error) => {
          throw new VolumeSetUpError(vol.name, err.message.startsWith('NodeAffinity check failed') ? 'affinity' : 'process', err.message);
        });
        out.set(vol.name, path);
        if (vol.persistentVolumeClaim.readOnly) out.readOnly.add(vol.name);
        continue;
      }
      let dir: string;
      try {
        dir = this.volumeDir(podDir, vol);
        if (vol.emptyDir) {
          if (vol.emptyDir.medium === 'Memory' && this.opts.useTmpfs) await mountTmpfs(dir, parseQuantity(vol.emptyDir.sizeLimit));
          else await mkdir(dir, { recursive: true, mode: 0o777 });
        } else if (vol.hostPath) await checkHostPath(dir, vol.hostPath.type ?? '');
        else {
          const payload = await volumePayload(pod, vol, src);
          if (!payload) throw new Error('this kind of volume is not supported by this kubelet yet');
          if (vol.secret && this.opts.useTmpfs) await mountTmpfs(dir);
          await writeAtomic(dir, payload);
        }
      } catch (err) {
        throw new VolumeSetUpError(vol.name, 'setup', (err as Error).message);
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

/** Volume name → host path, plus the volumes the pod mounts read-only as a whole. */
export class VolumePaths extends Map<string, string> {
  readonly readOnly = new Set<string>();
}

/** The runtime mounts of a container: volumeMounts with subPath / subPathExpr resolved. */
export function mountsFor(container: Container, volumes: Map<string, string>, env: { name: string; value: string }[]): Mount[] {
  const vars = new Map(env.map((e) => [e.name, e.value]));
  return (container.volumeMounts ?? []).map((vm) => {
    const base = volumes.get(vm.name);
    if (!base) throw new Error(`volume "${vm.name}" not found for mount ${vm.mountPath}`);
    const sub = vm.subPathExpr ? expand(vm.subPathExpr, (n) => vars.get(n)) : vm.subPath;
    if (sub && (sub.startsWith('/') || sub.split('/').includes('..'))) throw new Error(`invalid subPath ${sub}`);
    const hostPath = sub ? join(base, sub) : base;
    // Upstream creates a missing subPath as a directory (an existing file, e.g. a key, stays).
    if (sub && !existsSync(hostPath)) mkdirSync(hostPath, { recursive: true, mode: 0o777 });
    const readOnly = !!vm.readOnly || (volumes instanceof VolumePaths && volumes.readOnly.has(vm.name));
    return { containerPath: vm.mountPath, hostPath, readOnly, volumeName: vm.name };
  });
}
