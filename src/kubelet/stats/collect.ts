/**
 * @module Collects a node's usage from its container runtime: per running container the
 * runtime's stats (runc: cgroups; process: /proc), matched to the pods the kubelet knows by
 * the sandbox's uid, plus the host totals.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStats, Runtime } from '../runtime/interface.ts';
import { hostUsage } from './host.ts';
import type { NodeUsage, PodUsage } from './types.ts';

export interface CollectDeps {
  nodeName: string;
  runtime: Runtime;
  /** The pods bound to this node, as the kubelet's cache holds them. */
  pods(): Pod[];
  /** Epoch ms the kubelet started. */
  startTime: number;
}

const ms = (t: string | undefined): number => (t ? Date.parse(t) || 0 : 0);

/** A runtime that reads a pod's usage from its pod cgroup (CRI PodSandboxStats; runc does). */
interface PodStatsRuntime {
  podSandboxStats(sandboxId: string): Promise<ContainerStats | undefined>;
}
const hasPodStats = (r: Runtime): r is Runtime & PodStatsRuntime => typeof (r as Partial<PodStatsRuntime>).podSandboxStats === 'function';

export async function collectNodeUsage(d: CollectDeps): Promise<NodeUsage> {
  const byUid = new Map(d.pods().map((p) => [p.metadata?.uid ?? '', p]));
  const sandboxes = await d.runtime.listPodSandboxes();
  const pods = new Map<string, PodUsage>();
  for (const s of sandboxes) {
    const pod = byUid.get(s.uid);
    if (!pod || s.state !== 'ready') continue;
    for (const c of await d.runtime.listContainers({ sandboxId: s.id })) {
      if (c.state !== 'running') continue;
      const st = await d.runtime.containerStats(c.id).catch(() => undefined);
      if (!st) continue;
      let pu = pods.get(s.uid);
      if (!pu) {
        pu = { namespace: s.namespace, name: s.name, uid: s.uid, startTime: ms(pod.status?.startTime) || s.createdAt, containers: [] };
        pods.set(s.uid, pu);
      }
      pu.containers.push({
        name: c.name,
        startTime: c.startedAt,
        timestamp: st.timestamp,
        cpuUsageNanos: st.cpuUsageNanos,
        memoryWorkingSetBytes: st.memoryWorkingSetBytes,
        memoryUsageBytes: st.memoryUsageBytes,
      });
    }
    const pu = pods.get(s.uid);
    const ps = pu && hasPodStats(d.runtime) ? await d.runtime.podSandboxStats(s.id).catch(() => undefined) : undefined;
    if (pu && ps) {
      pu.pod = { timestamp: ps.timestamp, cpuUsageNanos: ps.cpuUsageNanos, memoryWorkingSetBytes: ps.memoryWorkingSetBytes, memoryUsageBytes: ps.memoryUsageBytes };
    }
  }
  const host = await hostUsage();
  return { nodeName: d.nodeName, timestamp: Date.now(), startTime: d.startTime, ...host, pods: [...pods.values()] };
}

