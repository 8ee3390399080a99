/**
 * @module A container init's liveness from /proc instead of `runc state`: the kubelet asks for
 * every container's state on each relist (every second) and each pod sync, and a `runc state`
 * spawn per question made a burst of 100 pods CPU-bound. runc itself decides "running" from the
 * same facts: the init pid exists, is not a zombie, and has the start time recorded when it was
 * created (so a reused pid is not mistaken for it).
 */
import { readFile } from 'node:fs/promises';

export interface ProcStat {
  /** One-letter process state (R, S, D, Z, X, …). */
  state: string;
  /** Start time in clock ticks since boot (field 22), as text. */
  start: string;
}

export async function procStat(pid: number): Promise<ProcStat | undefined> {
  if (!(pid > 0)) return undefined;
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // The command name (field 2) may hold spaces and parentheses: fields follow the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return f.length > 19 && f[0] ? { state: f[0], start: f[19]! } : undefined;
}

export const isGone = (s: ProcStat | undefined): boolean => !s || s.state === 'Z' || s.state === 'X' || s.state === 'x';
