/**
 * @module A container init's liveness from /proc instead of `runc state`: the kubelet asks for
 * every container's state on each relist (every second) and each pod sync, and a `runc state`
 * spawn per question made a burst of 100 pods CPU-bound. runc itself decides "running" from the
 * same facts: the init pid exists, is not a zombie, and has the start time recorded when it was
 * created (so a reused pid is not mistaken for it).
 */
import { readFile } from 'node:fs/promises';
import type { RuntimeState } from './supervise.js';

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

/**
 * Init pid and its /proc start time of the containers seen running. `state` answers "running"
 * without spawning `runc state` while the init we saw still runs with the same start time;
 * anything else (created, stopped, unknown, a restarted kubelet's first look) asks `runtimeState`.
 */
export class KnownInits {
  private readonly inits = new Map<string, { pid: number; start: string }>();

  /** Remembers `pid` as the running init of container `id` (ignored when it is not alive). */
  async remember(id: string, pid: number): Promise<void> {
    const p = await procStat(pid);
    if (!isGone(p)) this.inits.set(id, { pid, start: p!.start });
  }

  forget(id: string): void {
    this.inits.delete(id);
  }

  async state(id: string, runtimeState: () => Promise<RuntimeState | undefined>): Promise<RuntimeState | undefined> {
    const known = this.inits.get(id);
    if (known) {
      const p = await procStat(known.pid);
      if (!isGone(p) && p!.start === known.start) return { status: 'running', pid: known.pid };
      this.inits.delete(id);
    }
    const st = await runtimeState();
    if (st?.status === 'running') await this.remember(id, st.pid);
    return st;
  }
}
