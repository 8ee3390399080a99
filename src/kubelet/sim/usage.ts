/**
 * @module Synthetic resource usage of simulated nodes, served in-process as a `UsageSource`
 * (no HTTP, so thousands of nodes cost nothing to scrape). A pod's usage comes from
 * `SimOptions.usage(pod)`, else its `sim.skiff.dev/cpu-usage` / `sim.skiff.dev/memory-usage`
 * annotations (quantities, for the whole pod, split evenly across its containers), else a
 * small default per container. The usage is a rate; the cumulative CPU counters the metrics
 * pipeline rates are integrated here, per container and per node, at each read.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../util/clock.ts';
import { parseQuantity } from '../quantity.ts';
import type { ContainerUsage, NodeUsage, PodUsage, UsageSource } from '../stats/types.ts';
import type { SimOptions } from './options.ts';

export interface SimPodUsage {
  cpuMillis: number;
  memoryBytes: number;
}

export const simUsageAnnotations = {
  cpu: 'sim.skiff.dev/cpu-usage',
  memory: 'sim.skiff.dev/memory-usage',
} as const;

/** Per container, when nothing else says: 1m CPU and 4Mi of memory. */
export const defaultContainerUsage: SimPodUsage = { cpuMillis: 1, memoryBytes: 4 * 2 ** 20 };

/** What one pod uses right now, for the whole pod. */
export function podUsage(pod: Pod, opts: Pick<SimOptions, 'usage'>): SimPodUsage {
  const n = Math.max(1, pod.spec?.containers?.length ?? 1);
  const fromFn = opts.usage?.(pod);
  if (fromFn) return fromFn;
  const a = pod.metadata?.annotations ?? {};
  const cpu = parseQuantity(a[simUsageAnnotations.cpu]);
  const mem = parseQuantity(a[simUsageAnnotations.memory]);
  return {
    cpuMillis: cpu !== undefined && cpu >= 0 ? cpu * 1000 : defaultContainerUsage.cpuMillis * n,
    memoryBytes: mem !== undefined && mem >= 0 ? mem : defaultContainerUsage.memoryBytes * n,
  };
}

export interface SimUsageDeps {
  clock: Clock;
  options(): SimOptions;
  nodeNames(): string[];
  /** Running pods bound to the node, with when their containers started (epoch ms). */
  runningPods(node: string): { pod: Pod; startedAt: number }[];
  /** Epoch ms the node registered. */
  nodeStartTime(node: string): number | undefined;
}

interface Counter {
  t: number;
  cpuNanos: number;
}

export class SimUsage implements UsageSource {
  private readonly containers = new Map<string, Counter>();
  private readonly nodes = new Map<string, Counter>();
  /**
   * Node → its running pods' uids → their container counter keys, to forget a pod's counters
   * once it is gone. Per node, so one node's read costs O(its pods), not O(all pods).
   */
  private readonly byNode = new Map<string, Map<string, string[]>>();

  constructor(private readonly d: SimUsageDeps) {}

  nodeNames(): string[] {
    return this.d.nodeNames();
  }

  async usage(nodeName: string): Promise<NodeUsage | undefined> {
    const started = this.d.nodeStartTime(nodeName);
    if (started === undefined) return undefined;
    const now = this.d.clock.now().getTime();
    const opts = this.d.options();
    const pods: PodUsage[] = [];
    let nodeRate = 0;
    let nodeMem = 0;
    const live = new Map<string, string[]>();
    for (const { pod, startedAt } of this.d.runningPods(nodeName)) {
      const u = podUsage(pod, opts);
      const names = (pod.spec?.containers ?? []).map((c) => c.name);
      const share = Math.max(1, names.length);
      const uid = pod.metadata?.uid ?? '';
      const keys = names.map((name) => `${uid}/${name}`);
      live.set(uid, keys);
      const containers: ContainerUsage[] = names.map((name, i) => {
        const rate = (u.cpuMillis / share) * 1e6; // nanocores
        const cpuNanos = this.advance(this.containers, keys[i]!, now, startedAt, rate);
        const mem = Math.round(u.memoryBytes / share);
        return { name, startTime: startedAt, timestamp: now, cpuUsageNanos: cpuNanos, memoryWorkingSetBytes: mem, memoryUsageBytes: mem };
      });
      nodeRate += u.cpuMillis * 1e6;
      nodeMem += u.memoryBytes;
      pods.push({ namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid, startTime: Date.parse(pod.status?.startTime ?? '') || startedAt, containers });
    }
    const cpu = this.advance(this.nodes, nodeName, now, now, nodeRate);
    this.forgetGone(live, nodeName);
    return { nodeName, timestamp: now, startTime: started, cpuUsageNanos: cpu, memoryWorkingSetBytes: nodeMem, memoryUsageBytes: nodeMem, pods };
  }

  /** Adds rate × elapsed to a counter (a new counter starts at `since`). */
  private advance(m: Map<string, Counter>, key: string, now: number, since: number, rateNanocores: number): number {
    const c = m.get(key) ?? { t: Math.min(since, now), cpuNanos: 0 };
    c.cpuNanos += (rateNanocores * Math.max(0, now - c.t)) / 1000;
    c.t = now;
    m.set(key, c);
    return c.cpuNanos;
  }

  /** Drops the counters of this node's pods that stopped running. */
  private forgetGone(live: Map<string, string[]>, nodeName: string): void {
    for (const [uid, keys] of this.byNode.get(nodeName) ?? []) {
      if (live.has(uid)) continue;
      for (const k of keys) this.containers.delete(k);
    }
    this.byNode.set(nodeName, live);
  }
}
