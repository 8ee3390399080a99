/**
 * @module The kubelet Summary API (`/stats/summary`, stats/v1alpha1) subset metrics consumers
 * read: node and per-pod/per-container cpu (usageNanoCores, usageCoreNanoSeconds) and memory
 * (workingSetBytes, usageBytes). usageNanoCores is a rate, so the renderer remembers each
 * series' previous sample, as cAdvisor does between housekeeping passes.
 */
import type { NodeUsage } from './types.ts';

interface CpuStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds: number;
}
interface MemoryStats {
  time: string;
  workingSetBytes: number;
  usageBytes: number;
}

export interface Summary {
  node: { nodeName: string; startTime: string; cpu: CpuStats; memory: MemoryStats };
  pods: {
    podRef: { name: string; namespace: string; uid: string };
    startTime: string;
    containers: { name: string; startTime: string; cpu: CpuStats; memory: MemoryStats }[];
    cpu: CpuStats;
    memory: MemoryStats;
  }[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export class SummaryRenderer {
  private readonly last = new Map<string, { t: number; cpu: number }>();

  private cpu(key: string, t: number, cumulative: number, seen: Set<string>): CpuStats {
    seen.add(key);
    const prev = this.last.get(key);
    this.last.set(key, { t, cpu: cumulative });
    const out: CpuStats = { time: iso(t), usageCoreNanoSeconds: Math.round(cumulative) };
    if (prev && t > prev.t && cumulative >= prev.cpu) out.usageNanoCores = Math.round(((cumulative - prev.cpu) * 1000) / (t - prev.t));
    return out;
  }

  render(u: NodeUsage): Summary {
    const seen = new Set<string>();
    const pods: Summary['pods'] = u.pods.map((p) => {
      let cpu = 0;
      let ws = 0;
      let usage = 0;
      let t = 0;
      const containers = p.containers.map((c) => {
        cpu += c.cpuUsageNanos;
        ws += c.memoryWorkingSetBytes;
        usage += c.memoryUsageBytes;
        t = Math.max(t, c.timestamp);
        return {
          name: c.name,
          startTime: iso(c.startTime),
          cpu: this.cpu(`${p.uid}/${c.name}`, c.timestamp, c.cpuUsageNanos, seen),
          memory: { time: iso(c.timestamp), workingSetBytes: c.memoryWorkingSetBytes, usageBytes: c.memoryUsageBytes },
        };
      });
      // The pod cgroup, when the runtime has one, holds everything in the pod (upstream reads it too).
      if (p.pod) ({ timestamp: t, cpuUsageNanos: cpu, memoryWorkingSetBytes: ws, memoryUsageBytes: usage } = p.pod);
      return {
        podRef: { name: p.name, namespace: p.namespace, uid: p.uid },
        startTime: iso(p.startTime),
        containers,
        cpu: this.cpu(p.uid, t, cpu, seen),
        memory: { time: iso(t), workingSetBytes: ws, usageBytes: usage },
      };
    });
    const node = {
      nodeName: u.nodeName,
      startTime: iso(u.startTime),
      cpu: this.cpu('', u.timestamp, u.cpuUsageNanos, seen),
      memory: { time: iso(u.timestamp), workingSetBytes: u.memoryWorkingSetBytes, usageBytes: u.memoryUsageBytes },
    };
    // Forget series of containers that are gone.
    for (const k of this.last.keys()) if (!seen.has(k)) this.last.delete(k);
    return { node, pods };
  }
}
