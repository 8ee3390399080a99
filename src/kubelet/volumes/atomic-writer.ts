/**
 * @module Upstream's AtomicWriter for configMap, secret, downwardAPI and projected volumes: the
 * payload goes into a fresh hidden `..<timestamp>` folder, `..data` is swapped to it by one
 * rename of a symlink, and each visible top-level entry is a symlink through `..data`. A
 * reader therefore sees either the old set of files or the new one, never a mix. Writes
 * nothing when the payload is unchanged.
 */
import { lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';

export interface FileProjection {
  data: Buffer;
  mode: number;
}

export type Payload = Map<string, FileProjection>;

const dataLink = '..data';

function validatePath(p: string): void {
  const n = normalize(p);
  if (!p || p.startsWith('/') || n.startsWith('..') || n.split('/').includes('..')) throw new Error(`invalid path in volume payload: ${p}`);
}

async function unchanged(dir: string, payload: Payload): Promise<boolean> {
  let current: string;
  try {
    current = await readlink(join(dir, dataLink));
  } catch {
    return false;
  }
  const base = join(dir, current);
  const existing = await listFiles(base).catch(() => undefined);
  if (!existing || existing.length !== payload.size) return false;
  for (const [path, f] of payload) {
    const p = join(base, path);
    const [buf, st] = await Promise.all([readFile(p).catch(() => undefined), stat(p).catch(() => undefined)]);
    if (!buf || !st || !buf.equals(f.data) || (st.mode & 0o777) !== f.mode) return false;
  }
  return true;
}

async function listFiles(base: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(base, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(base, rel)));
    else out.push(rel);
  }
  return out;
}

/** Makes `dir` hold exactly `payload`; returns whether anything changed. */
export async function writeAtomic(dir: string, payload: Payload, now = new Date()): Promise<boolean> {
  for (const p of payload.keys()) validatePath(p);
  await mkdir(dir, { recursive: true });
  if (await unchanged(dir, payload)) return false;
  const old = await readlink(join(dir, dataLink)).catch(() => undefined);
  const tsName = `..${now.toISOString().replace(/[-:]/g, '_').replace('Z', '')}.${Math.random().toString(36).slice(2, 8)}`;
  const tsDir = join(dir, tsName);
  await mkdir(tsDir, { mode: 0o755 });
  for (const [path, f] of payload) {
    const p = join(tsDir, path);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, f.data);
    await chmod(p, f.mode);
  }
  // The swap: a new symlink renamed over the old one is atomic.
  const tmp = join(dir, `${dataLink}_tmp`);
  await rm(tmp, { force: true });
  await symlink(tsName, tmp);
  await rename(tmp, join(dir, dataLink));
  const top = new Set([...payload.keys()].map((p) => p.split('/')[0]!));
  for (const name of top) {
    const link = join(dir, name);
    const st = await lstat(link).catch(() => undefined);
    if (!st) await symlink(join(dataLink, name), link);
  }
  for (const e of await readdir(dir)) {
    if (e.startsWith('..')) continue;
    if (!top.has(e)) await rm(join(dir, e), { recursive: true, force: true });
  }
  if (old && old !== tsName) await rm(join(dir, old), { recursive: true, force: true });
  return true;
}
