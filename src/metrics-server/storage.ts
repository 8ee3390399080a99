/**
 * @module The latest two points per node and per container, and usage as the rate between them
 * (metrics-server's storage): CPU = Δ cumulative CPU / Δ time, memory = the last working set,
 * `window` = the time between the points. A container that restarted starts over; a container
 * scraped for the first time shortly after it started is rated against its start time (zero
 * CPU then), so new pods show usage after one scrape, as upstream.
 */
import type { ContainerPoint, NodePoint } from './types.ts';

/** Upstream freshContainerMinMetricsResolution. */
const freshContainerMinMs = 10_000;

export interface Usage {
  /** Epoch ms of the later point. */
  timestamp: number;
  windowMs: number;
  cpuNanocores: number;
  memoryBytes: number;
}

export interface PodUsage {
  namespace: string;
  name: string;
  timestamp: number;
  windowMs: number;
  containers: { name: string; usage: Usage }[];
}

interface Cum {
  timestamp: number;
  cpu: number;
  memory: number;
  startTime: number;
}

/** The rate between two points; undefined when they do not make one (counter reset, same time). */
export function rate(last: Cum, prev: Cum): Usage | undefined {
  const dt = last.timestamp - prev.timestamp;
  if (dt <= 0 || last.cpu < prev.cpu) return undefined;
  return { timestamp: last.timestamp, windowMs: dt, cpuNanocores: ((last.cpu - prev.cpu) * 1000) / dt, memoryBytes: last.memory };
}

const cum = (c: ContainerPoint): Cum => ({ timestamp: c.timestamp, cpu: c.cpuUsageNanos, memory: c.memoryWorkingSetBytes, startTime: c.startTime });

export class MetricsStorage {
  private nodeLast = new Map<string, Cum>();
  private nodePrev = new Map<string, Cum>();
  /** `ns/pod` → container → point. */
  private podLast = new Map<string, Map<string, Cum>>();
  private podPrev = new Map<string, Map<string, Cum>>();

  constructor(private readonly resolutionMs: number) {}

  /** Replaces the stored batch: nodes and pods absent from it are forgotten. */
  store(batch: NodePoint[]): void {
    const nodeLast = new Map<string, Cum>();
    const nodePrev = new Map<string, Cum>();
    const podLast = new Map<string, Map<string, Cum>>();
    const podPrev = new Map<string, Map<string, Cum>>();
    for (const n of batch) {
      if (Number.isFinite(n.cpuUsageNanos) && Number.isFinite(n.memoryWorkingSetBytes) && n.timestamp > 0) {
        const point: Cum = { timestamp: n.timestamp, cpu: n.cpuUsageNanos, memory: n.memoryWorkingSetBytes, startTime: 0 };
        const old = this.nodeLast.get(n.nodeName);
        nodeLast.set(n.nodeName, point);
        if (old && point.timestamp > old.timestamp) nodePrev.set(n.nodeName, old);
        else if (old && this.nodePrev.has(n.nodeName)) nodePrev.set(n.nodeName, this.nodePrev.get(n.nodeName)!);
      }
      for (const p of n.pods) {
        const key = `${p.namespace}/${p.name}`;
        if (podLast.has(key)) continue;
        const last = new Map<string, Cum>();
        const prev = new Map<string, Cum>();
        for (const c of p.containers) {
          if (last.has(c.name)) continue;
          const point = cum(c);
          last.set(c.name, point);
          const age = point.timestamp - point.startTime;
          const oldLast = this.podLast.get(key)?.get(c.name);
          if (point.startTime > 0 && age >= freshContainerMinMs && age < this.resolutionMs) {
            prev.set(c.name, { ...point, timestamp: point.startTime, cpu: 0 });
          } else if (oldLast && point.startTime < oldLast.timestamp) {
            // Same container run as before (it did not restart since the stored point).
            if (point.timestamp > oldLast.timestamp) prev.set(c.name, oldLast);
            else {
              const oldPrev = this.podPrev.get(key)?.get(c.name);
              if (oldPrev && oldPrev.timestamp < point.timestamp) prev.set(c.name, oldPrev);
            }
          }
        }
        podLast.set(key, last);
        podPrev.set(key, prev);
      }
    }
    this.nodeLast = nodeLast;
    this.nodePrev = nodePrev;
    this.podLast = podLast;
    this.podPrev = podPrev;
  }

  nodeUsage(): Map<string, Usage> {
    const out = new Map<string, Usage>();
    for (const [name, last] of this.nodeLast) {
      const prev = this.nodePrev.get(name);
      const u = prev && rate(last, prev);
      if (u) out.set(name, u);
    }
    return out;
  }

  podUsage(): PodUsage[] {
    const out: PodUsage[] = [];
    for (const [key, last] of this.podLast) {
      const prev = this.podPrev.get(key);
      const containers: PodUsage['containers'] = [];
      let timestamp = 0;
      let windowMs = 0;
      for (const [name, l] of last) {
        const p = prev?.get(name);
        const u = p && rate(l, p);
        if (!u) continue;
        containers.push({ name, usage: u });
        // The pod's timestamp is its earliest container sample, as upstream.
        if (!timestamp || u.timestamp < timestamp) {
          timestamp = u.timestamp;
          windowMs = u.windowMs;
        }
      }
      if (!containers.length) continue;
      const slash = key.indexOf('/');
      out.push({ namespace: key.slice(0, slash), name: key.slice(slash + 1), timestamp, windowMs, containers: containers.sort((a, b) => a.name.localeCompare(b.name)) });
    }
    return out;
  }
}
