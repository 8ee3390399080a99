/** @module Container usage from cgroup v1 files, as cAdvisor computes it for the metrics API. */
import { readFile } from 'node:fs/promises';
import type { ContainerStats } from '../interface.js';
import { cgroupFile } from './cgroups.js';

async function num(path: string): Promise<number | undefined> {
  try {
    const v = Number((await readFile(path, 'utf8')).trim());
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Undefined when the container's cgroup is gone. */
export async function readStats(cgroupsPath: string): Promise<ContainerStats | undefined> {
  const usage = await num(cgroupFile('memory', cgroupsPath, 'memory.usage_in_bytes'));
  const cpu = await num(cgroupFile('cpuacct', cgroupsPath, 'cpuacct.usage'));
  if (usage === undefined && cpu === undefined) return undefined;
  let inactive = 0;
  try {
    const stat = await readFile(cgroupFile('memory', cgroupsPath, 'memory.stat'), 'utf8');
    const m = /^total_inactive_file (\d+)$/m.exec(stat);
    if (m) inactive = Number(m[1]);
  } catch {
    /* no memory.stat: working set = usage */
  }
  const u = usage ?? 0;
  return {
    timestamp: Date.now(),
    cpuUsageNanos: cpu ?? 0,
    memoryUsageBytes: u,
    memoryWorkingSetBytes: Math.max(0, u - inactive),
    pids: await num(cgroupFile('pids', cgroupsPath, 'pids.current')),
  };
}
