/**
 * @module What the runc runtime persists under its stateDir so that a new runtime instance
 * (kubelet restart) finds the sandboxes and containers a previous one created.
 */
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerConfig, ImageRef, PodSandboxConfig } from '../interface.js';

export interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  createdAt: number;
  ip: string;
  /** `/run/netns/<name>` or '' with hostNetwork. */
  netnsName: string;
  vethHost: string;
  /** Persistent (bind-mounted) UTS and IPC namespace files; '' with hostNetwork. */
  utsPath: string;
  ipcPath: string;
  dir: string;
  stopped: boolean;
}

export interface ContainerRecord {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  image: ImageRef;
  labels: Record<string, string>;
  logPath: string;
  cgroupsPath: string;
  stopSignal: string;
  createdAt: number;
  startedAt: number;
  dir: string;
  config: ContainerConfig;
}

/** Atomic JSON write: a crash never leaves a half-written record. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 1));
  await rename(tmp, path);
}

export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Loads every `<dir>/<id>/record.json`. */
export async function loadRecords<T>(dir: string): Promise<T[]> {
  await mkdir(dir, { recursive: true });
  const out: T[] = [];
  for (const id of await readdir(dir)) {
    const r = await readJson<T>(join(dir, id, 'record.json'));
    if (r) out.push(r);
  }
  return out;
}
