/**
 * @module Parses the kubelet's `/metrics/resource` Prometheus text into a NodePoint, reading
 * only the series metrics-server decodes (node and container CPU seconds, working sets, start
 * times). Samples without their own timestamp take the scrape time.
 */
import type { ContainerPoint, NodePoint, PodPoints } from './types.ts';

const lineRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/;
const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function labelsOf(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!s) return out;
  for (const m of s.matchAll(labelRe)) out[m[1]!] = m[2]!.replace(/\\(.)/g, (_x, c: string) => (c === 'n' ? '\n' : c));
  return out;
}

function parseValue(v: string): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

export function parseResourceMetrics(nodeName: string, text: string, scrapedAt: number): NodePoint {
  const node: NodePoint = { nodeName, timestamp: 0, cpuUsageNanos: NaN, memoryWorkingSetBytes: NaN, pods: [] };
  const pods = new Map<string, PodPoints>();
  const container = (l: Record<string, string>): ContainerPoint | undefined => {
    const ns = l.namespace ?? '';
    const pod = l.pod ?? '';
    const name = l.container ?? '';
    if (!pod || !name) return undefined;
    let p = pods.get(`${ns}/${pod}`);
    if (!p) pods.set(`${ns}/${pod}`, (p = { namespace: ns, name: pod, containers: [] }));
    let c = p.containers.find((x) => x.name === name);
    if (!c) p.containers.push((c = { name, startTime: 0, timestamp: 0, cpuUsageNanos: NaN, memoryWorkingSetBytes: NaN }));
    return c;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = lineRe.exec(line);
    if (!m) continue;
    const [, name, labelText, value, ts] = m;
    const v = parseValue(value!);
    const t = ts ? Number(ts) : scrapedAt;
    switch (name) {
      case 'node_cpu_usage_seconds_total':
        node.cpuUsageNanos = v * 1e9;
        node.timestamp = t;
        break;
      case 'node_memory_working_set_bytes':
        node.memoryWorkingSetBytes = v;
        break;
      case 'container_cpu_usage_seconds_total': {
        const c = container(labelsOf(labelText));
        if (c) {
          c.cpuUsageNanos = v * 1e9;
          c.timestamp = t;
        }
        break;
      }
      case 'container_memory_working_set_bytes': {
        const c = container(labelsOf(labelText));
        if (c) c.memoryWorkingSetBytes = v;
        break;
      }
      case 'container_start_time_seconds': {
        const c = container(labelsOf(labelText));
        if (c) c.startTime = v * 1000;
        break;
      }
    }
  }
  // Containers missing a series are dropped, as metrics-server's decoder does.
  for (const p of pods.values()) {
    p.containers = p.containers.filter((c) => Number.isFinite(c.cpuUsageNanos) && Number.isFinite(c.memoryWorkingSetBytes) && c.timestamp > 0);
    if (p.containers.length) node.pods.push(p);
  }
  return node;
}
