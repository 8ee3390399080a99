/**
 * @module OOM evidence for an exited container: conmon's `oom` marker first, then the memory
 * cgroup's `oom_kill` counter (it survives until the cgroup is removed), so a kill is still
 * recognised when conmon itself was gone.
 */
import { readFile } from 'node:fs/promises';
import { cgroupFile } from './cgroups.js';

export async function cgroupSawOomKill(cgroupsPath: string): Promise<boolean> {
  try {
    const text = await readFile(cgroupFile('memory', cgroupsPath, 'memory.oom_control'), 'utf8');
    const m = /^oom_kill (\d+)$/m.exec(text);
    return !!m && Number(m[1]) > 0;
  } catch {
    return false;
  }
}

/** The reason the kubelet reports for a terminated container. */
export function exitReason(exitCode: number, oom: boolean): string {
  if (oom) return 'OOMKilled';
  return exitCode === 0 ? 'Completed' : 'Error';
}
