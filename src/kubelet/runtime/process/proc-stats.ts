/**
 * @module Usage of a process group from /proc (the process runtime has no cgroup): cumulative
 * CPU (utime+stime of every process in the group) and resident memory.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { ContainerStats } from '../interface.ts';

const clockTicks = 100; // USER_HZ on Linux
const pageSize = 4096;

export async function processGroupStats(pgid: number): Promise<ContainerStats> {
  let cpuTicks = 0;
  let rssPages = 0;
  let pids = 0;
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name, which may itself contain spaces.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) !== pgid) continue;
      cpuTicks += Number(f[11]) + Number(f[12]);
      rssPages += Number(f[21]);
      pids++;
    } catch {
      // exited while scanning
    }
  }
  const bytes = rssPages * pageSize;
  return { timestamp: Date.now(), cpuUsageNanos: (cpuTicks * 1e9) / clockTicks, memoryWorkingSetBytes: bytes, memoryUsageBytes: bytes, pids };
}
