/**
 * @module Pod-level and QoS cgroups (cgroup v1, cgroupfs driver) as the upstream kubelet's
 * pod and QoS container managers lay them out, under a per-node root:
 *
 *   /skiff/<node>/kubepods              cpu.shares = allocatable cpu, memory limit = allocatable
 *   /skiff/<node>/kubepods/pod<uid>     Guaranteed pods
 *   /skiff/<node>/kubepods/burstable    cpu.shares = Σ burstable pods' cpu requests
 *   /skiff/<node>/kubepods/besteffort   cpu.shares = 2
 *   …/pod<uid>/<container id>           containers (runc creates them, with their own limits)
 *
 * Only the cpu, cpuacct, memory and pids hierarchies are written, and only under `/skiff/`.
 * Pod limits come from the kubelet (`src/kubelet/qos.ts`) in the sandbox's `resources`.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { milliCpuToShares } from '../../container-resources.js';
import type { ContainerResources } from '../interface.js';
import { CGROUP_ROOT } from './cgroups.js';

/** The hierarchies the pod cgroups are made in (cpuacct for usage, the others for limits). */
export const POD_CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids'] as const;
type Controller = (typeof POD_CONTROLLERS)[number];

export const MIN_SHARES = 2;

/**
 * The millicores a pod's shares came from: MilliCPUToShares is one-to-one above the minimum
 * (1024/1000 > 1), so the QoS tier can sum requests as upstream does from the shares alone.
 * 2 shares may be 0–2m; counted as 0 (a BestEffort pod).
 */
export function sharesToMilliCpu(shares: number): number {
  return shares <= MIN_SHARES ? 0 : Math.ceil((shares * 1000) / 1024);
}

export interface PodCgroupLayout {
  /** `/skiff/<node>`: removed on agent clean-up once empty. */
  nodeRoot: string;
  /** `/skiff/<node>/kubepods`. */
  kubepods: string;
  /** The pod's QoS tier cgroup (`kubepods` itself for Guaranteed pods). */
  tier: string;
  qos: 'Guaranteed' | 'Burstable' | 'BestEffort';
}

/** Parses a pod cgroupParent of the kubepods layout; undefined for any other path (tests' own roots). */
export function podCgroupLayout(cgroupParent: string): PodCgroupLayout | undefined {
  const m = /^(\/skiff\/[^/]+)\/kubepods(?:\/(burstable|besteffort))?\/pod[^/]+\/?$/.exec(cgroupParent);
  if (!m) return undefined;
  const kubepods = `${m[1]}/kubepods`;
  const qos = m[2] === 'burstable' ? 'Burstable' : m[2] === 'besteffort' ? 'BestEffort' : 'Guaranteed';
  return { nodeRoot: m[1]!, kubepods, tier: m[2] ? `${kubepods}/${m[2]}` : kubepods, qos };
}

/** Under `/skiff/` and nothing else (no `..`): the only cgroups this runtime may write. */
export function ownedCgroup(path: string): boolean {
  return path.startsWith('/skiff/') && !path.split('/').includes('..');
}

/** The v1 settings of one cgroup, as file → value (omitted files are left as they are). */
export type CgroupSettings = Partial<Record<Controller, Record<string, string>>>;

/** What the pod cgroup gets from the kubelet's pod resources, plus the node's pod pids limit. */
export function podCgroupSettings(r: ContainerResources | undefined, podPidsLimit?: number): CgroupSettings {
  const cpu: Record<string, string> = { 'cpu.shares': String(r?.cpuShares ?? MIN_SHARES) };
  if (r?.cpuLimitMillis !== undefined && r.cpuLimitMillis > 0) {
    // Period first: the kernel checks quota/period against the parent's on every write.
    cpu['cpu.cfs_period_us'] = '100000';
    cpu['cpu.cfs_quota_us'] = String(Math.max(1000, Math.floor((r.cpuLimitMillis * 100000) / 1000)));
  }
  const out: CgroupSettings = { cpu, cpuacct: {} };
  out.memory = r?.memoryLimitBytes !== undefined && r.memoryLimitBytes > 0 ? { 'memory.limit_in_bytes': String(r.memoryLimitBytes) } : {};
  out.pids = podPidsLimit !== undefined && podPidsLimit > 0 ? { 'pids.max': String(podPidsLimit) } : {};
  return out;
}

export interface NodeAllocatable {
  cpuMillis?: number;
  memoryBytes?: number;
  pids?: number;
}

/** The node allocatable cgroup (upstream: capacity − reserved; nothing is reserved here). */
export function kubepodsSettings(a: NodeAllocatable): CgroupSettings {
  const out: CgroupSettings = { cpu: {}, cpuacct: {}, memory: {}, pids: {} };
  if (a.cpuMillis !== undefined && a.cpuMillis > 0) out.cpu!['cpu.shares'] = String(milliCpuToShares(a.cpuMillis));
  if (a.memoryBytes !== undefined && a.memoryBytes > 0) out.memory!['memory.limit_in_bytes'] = String(a.memoryBytes);
  if (a.pids !== undefined && a.pids > 0) out.pids!['pids.max'] = String(a.pids);
  return out;
}

/** Upstream QoS manager: burstable = Σ requests of its pods (min 2), besteffort = 2. */
export function tierSettings(qos: PodCgroupLayout['qos'], podShares: number[]): CgroupSettings {
  if (qos === 'BestEffort') return { cpu: { 'cpu.shares': String(MIN_SHARES) }, cpuacct: {}, memory: {}, pids: {} };
  const milli = podShares.reduce((s, x) => s + sharesToMilliCpu(x), 0);
  return { cpu: { 'cpu.shares': String(milliCpuToShares(milli)) }, cpuacct: {}, memory: {}, pids: {} };
}

/**
 * Makes `path` in every listed hierarchy that exists on this host (hybrid mode: a controller
 * may be missing) and writes its files. Throws on a write the kernel refuses.
 */
export async function applyCgroup(path: string, settings: CgroupSettings, root = CGROUP_ROOT): Promise<void> {
  if (!ownedCgroup(path)) throw new Error(`refusing to write cgroup ${path}: outside /skiff/`);
  for (const [ctrl, files] of Object.entries(settings) as [Controller, Record<string, string>][]) {
    const h = join(root, ctrl);
    if (!existsSync(h)) continue;
    const dir = join(h, path);
    await mkdir(dir, { recursive: true });
    for (const [f, v] of Object.entries(files)) {
      if (!existsSync(join(dir, f))) continue;
      try {
        await writeFile(join(dir, f), v);
      } catch (e) {
        throw new Error(`write ${v} to ${join(dir, f)}: ${(e as Error).message}`);
      }
    }
  }
}
