/**
 * @module Node totals from the host: cumulative CPU of all cores from /proc/stat (every field
 * but idle and iowait, as cAdvisor's machine usage) and the working set from /proc/meminfo
 * (MemTotal − MemAvailable).
 */
import { readFile } from 'node:fs/promises';

const userHz = 100;

/** Parses the aggregate `cpu` line of /proc/stat into cumulative busy nanoseconds. */
export function parseProcStat(text: string): number {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return 0;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user/nice)
  const busy = [0, 1, 2, 5, 6, 7].reduce((s, i) => s + (f[i] ?? 0), 0);
  return (busy * 1e9) / userHz;
}

/** Working set and usage bytes from /proc/meminfo. */
export function parseMeminfo(text: string): { workingSetBytes: number; usageBytes: number } {
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) * 1024;
  const total = kb('MemTotal');
  const free = kb('MemFree');
  const available = kb('MemAvailable') || free;
  return { workingSetBytes: Math.max(0, total - available), usageBytes: Math.max(0, total - free) };
}

export async function hostUsage(): Promise<{ cpuUsageNanos: number; memoryWorkingSetBytes: number; memoryUsageBytes: number }> {
  const [stat, mem] = await Promise.all([readFile('/proc/stat', 'utf8').catch(() => ''), readFile('/proc/meminfo', 'utf8').catch(() => '')]);
  const m = parseMeminfo(mem);
  return { cpuUsageNanos: parseProcStat(stat), memoryWorkingSetBytes: m.workingSetBytes, memoryUsageBytes: m.usageBytes };
}
