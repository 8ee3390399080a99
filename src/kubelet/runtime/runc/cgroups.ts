/**
 * @module cgroup v1 (hybrid) housekeeping on this kind of machine: the crun hugetlb fix, and
 * removing the pod-level parents that `runc delete` leaves behind (it removes only the leaf).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './cmd.js';

export const CGROUP_ROOT = '/sys/fs/cgroup';

/**
 * crun refuses hybrid mode when hugetlb is only in the cgroup2 controllers; binding hugetlb to
 * its own v1 hierarchy fixes it. Idempotent; a no-op on pure v1/v2 hosts.
 */
export async function ensureHugetlbV1(): Promise<void> {
  const unified = join(CGROUP_ROOT, 'unified');
  if (!existsSync(join(unified, 'cgroup.controllers'))) return;
  const mounts = (await run('cat', ['/proc/self/mounts'])).stdout;
  if (mounts.split('\n').some((l) => l.split(' ')[2] === 'cgroup' && /(^|,)hugetlb(,|$)/.test(l.split(' ')[3] ?? ''))) return;
  const dir = join(CGROUP_ROOT, 'hugetlb');
  await mkdir(dir, { recursive: true });
  const r = await run('mount', ['-t', 'cgroup', '-o', 'hugetlb', 'cgroup', dir]);
  if (r.code !== 0 && !/busy|already/.test(r.stderr)) throw new Error(`mount hugetlb cgroup: ${r.stderr.trim()}`);
}

/** Directories of every mounted hierarchy, e.g. /sys/fs/cgroup/memory. */
async function hierarchies(): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(CGROUP_ROOT, { withFileTypes: true })) if (e.isDirectory()) out.push(join(CGROUP_ROOT, e.name));
  return out;
}

/** Removes `path` (absolute cgroup path) and its now-empty children in every hierarchy. */
export async function removeCgroupTree(path: string): Promise<void> {
  for (const h of await hierarchies()) await rmTree(join(h, path));
}

async function rmTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const e of await readdir(dir, { withFileTypes: true })) if (e.isDirectory()) await rmTree(join(dir, e.name));
  await rmdir(dir).catch(() => undefined);
}

/** The v1 file of `controller` for an absolute cgroup path. */
export function cgroupFile(controller: string, path: string, file: string): string {
  return join(CGROUP_ROOT, controller, path, file);
}
