/**
 * @module A container's CRI status from what survives a kubelet restart: conmon's exit file
 * and OOM marker, the memory cgroup's oom_kill counter, and `runc state`.
 */
import type { ContainerStatus } from '../interface.js';
import { cgroupSawOomKill, exitReason } from './oom.js';
import type { ContainerRecord } from './state.js';
import { readExit, type ExitInfo, type RuntimeState } from './supervise.js';

export interface StatusProbes {
  state(): Promise<RuntimeState | undefined>;
  conmonAlive(): Promise<boolean>;
  conmonError(): Promise<string>;
}

export async function containerStatusOf(c: ContainerRecord, p: StatusProbes): Promise<ContainerStatus> {
  const base = {
    id: c.id, name: c.name, attempt: c.attempt, createdAt: c.createdAt, startedAt: c.startedAt, image: c.image, labels: c.labels,
    finishedAt: 0, exitCode: 0, reason: '', message: '',
  };
  const exited = async (exit: ExitInfo): Promise<ContainerStatus> => {
    const oom = exit.oom || (await cgroupSawOomKill(c.cgroupsPath));
    // The exit file's mtime can trail the recorded start by clock granularity only.
    const finishedAt = Math.max(exit.finishedAt, c.startedAt);
    return { ...base, state: 'exited', finishedAt, exitCode: exit.exitCode, reason: exitReason(exit.exitCode, oom) };
  };
  const exit = await readExit(c.dir, c.id);
  if (exit) return exited(exit);
  const st = await p.state();
  if (st && (st.status === 'running' || st.status === 'paused')) return { ...base, state: 'running', pid: st.pid };
  if (st?.status === 'created') return { ...base, state: 'created' };
  if (!st || st.status === 'stopped') {
    if (await p.conmonAlive()) return { ...base, state: st ? 'running' : 'unknown' };
    // conmon may have written the exit file and gone between our two reads.
    const late = await readExit(c.dir, c.id);
    if (late) return exited(late);
    // Neither conmon nor an exit file: the supervisor died with the container.
    const oom = await cgroupSawOomKill(c.cgroupsPath);
    return {
      ...base, state: 'exited', finishedAt: Date.now(), exitCode: oom ? 137 : 255, reason: oom ? 'OOMKilled' : 'Error',
      message: `exit code not recorded (supervisor gone)${await p.conmonError()}`,
    };
  }
  return { ...base, state: 'unknown' };
}
