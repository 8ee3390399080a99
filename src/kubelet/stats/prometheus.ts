/**
 * @module `/metrics/resource` as the upstream kubelet serves it (Prometheus text format 0.0.4):
 * cumulative node/pod/container CPU seconds, working sets, container start times and the scrape
 * error gauges, each sample stamped with its sample time in ms — what metrics-server reads.
 */
import type { NodeUsage } from './types.ts';

export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(17).replace(/\.?0+(e|$)/, '$1'));

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: string[];
}

export function renderResourceMetrics(u: NodeUsage | undefined): string {
  const fam = (name: string, type: Family['type'], help: string): Family => ({ name, help, type, samples: [] });
  const cCpu = fam('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the container in core-seconds');
  const cMem = fam('container_memory_working_set_bytes', 'gauge', 'Current working set of the container in bytes');
  const cStart = fam('container_start_time_seconds', 'gauge', 'Start time of the container since unix epoch in seconds');
  const nCpu = fam('node_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the node in core-seconds');
  const nMem = fam('node_memory_working_set_bytes', 'gauge', 'Current working set of the node in bytes');
  const pCpu = fam('pod_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the pod in core-seconds');
  const pMem = fam('pod_memory_working_set_bytes', 'gauge', 'Current working set of the pod in bytes');
  const err = fam('resource_scrape_error', 'gauge', '1 if there was an error while getting container metrics, 0 otherwise');
  const errOld = fam('scrape_error', 'gauge', '1 if there was an error while getting container metrics, 0 otherwise');
  const sample = (f: Family, labels: Record<string, string>, v: number, ts?: number) => {
    const l = Object.entries(labels).map(([k, x]) => `${k}="${esc(x)}"`).join(',');
    f.samples.push(`${f.name}${l ? `{${l}}` : ''} ${num(v)}${ts !== undefined ? ` ${Math.round(ts)}` : ''}`);
  };
  if (u) {
    // Sorted as the Prometheus registry emits them, so output is stable.
    const pods = [...u.pods].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    for (const p of pods) {
      let cpu = 0;
      let mem = 0;
      let ts = 0;
      for (const c of [...p.containers].sort((a, b) => a.name.localeCompare(b.name))) {
        const labels = { container: c.name, namespace: p.namespace, pod: p.name };
        sample(cCpu, labels, c.cpuUsageNanos / 1e9, c.timestamp);
        sample(cMem, labels, c.memoryWorkingSetBytes, c.timestamp);
        if (c.startTime) sample(cStart, labels, c.startTime / 1000, c.timestamp);
        cpu += c.cpuUsageNanos;
        mem += c.memoryWorkingSetBytes;
        ts = Math.max(ts, c.timestamp);
      }
      if (p.pod) ({ cpuUsageNanos: cpu, memoryWorkingSetBytes: mem, timestamp: ts } = p.pod);
      sample(pCpu, { namespace: p.namespace, pod: p.name }, cpu / 1e9, ts);
      sample(pMem, { namespace: p.namespace, pod: p.name }, mem, ts);
    }
    sample(nCpu, {}, u.cpuUsageNanos / 1e9, u.timestamp);
    sample(nMem, {}, u.memoryWorkingSetBytes, u.timestamp);
  }
  sample(err, {}, u ? 0 : 1);
  sample(errOld, {}, u ? 0 : 1);
  return [cCpu, cMem, cStart, nCpu, nMem, pCpu, pMem, err, errOld]
    .filter((f) => f.samples.length > 0)
    .map((f) => `# HELP ${f.name} [STABLE] ${f.help}\n# TYPE ${f.name} ${f.type}\n${f.samples.join('\n')}\n`)
    .join('');
}
