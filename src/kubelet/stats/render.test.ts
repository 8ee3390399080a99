import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMeminfo, parseProcStat } from './host.ts';
import { renderResourceMetrics } from './prometheus.ts';
import { SummaryRenderer } from './summary.ts';
import type { NodeUsage } from './types.ts';

const usage = (t: number, cpuNanos: number): NodeUsage => ({
  nodeName: 'n1',
  timestamp: t,
  startTime: 1_700_000_000_000,
  cpuUsageNanos: cpuNanos * 4,
  memoryWorkingSetBytes: 1 << 30,
  memoryUsageBytes: 2 << 30,
  pods: [
    {
      namespace: 'default',
      name: 'web',
      uid: 'u1',
      startTime: 1_700_000_000_000,
      containers: [{ name: 'c"1', startTime: 1_700_000_001_000, timestamp: t, cpuUsageNanos: cpuNanos, memoryWorkingSetBytes: 1024, memoryUsageBytes: 2048 }],
    },
  ],
});

describe('resource metrics text', () => {
  it('renders the upstream series with sample timestamps and escaped labels', () => {
    const text = renderResourceMetrics(usage(1_700_000_010_000, 2.5e9));
    assert.match(text, /^# HELP container_cpu_usage_seconds_total \[STABLE\] Cumulative cpu time consumed by the container in core-seconds$/m);
    assert.match(text, /^# TYPE container_cpu_usage_seconds_total counter$/m);
    assert.match(text, /^container_cpu_usage_seconds_total\{container="c\\"1",namespace="default",pod="web"\} 2\.5 1700000010000$/m);
    assert.match(text, /^container_memory_working_set_bytes\{container="c\\"1",namespace="default",pod="web"\} 1024 1700000010000$/m);
    assert.match(text, /^container_start_time_seconds\{container="c\\"1",namespace="default",pod="web"\} 1700000001 1700000010000$/m);
    assert.match(text, /^node_cpu_usage_seconds_total 10 1700000010000$/m);
    assert.match(text, /^node_memory_working_set_bytes 1073741824 1700000010000$/m);
    assert.match(text, /^pod_cpu_usage_seconds_total\{namespace="default",pod="web"\} 2\.5 1700000010000$/m);
    assert.match(text, /^resource_scrape_error 0$/m);
    assert.match(text, /^scrape_error 0$/m);
  });

  it('reports a scrape error when usage could not be collected', () => {
    const text = renderResourceMetrics(undefined);
    assert.match(text, /^resource_scrape_error 1$/m);
    assert.doesNotMatch(text, /node_cpu_usage_seconds_total/);
  });
});

describe('summary API', () => {
  it('rates usageNanoCores between two renders', () => {
    const r = new SummaryRenderer();
    const first = r.render(usage(1_700_000_010_000, 1e9));
    assert.equal(first.node.cpu.usageNanoCores, undefined);
    assert.equal(first.node.cpu.usageCoreNanoSeconds, 4e9);
    const s = r.render(usage(1_700_000_012_000, 2e9));
    // 1 s of CPU in 2 s: half a core for the container, two cores for the node.
    assert.equal(s.pods[0]!.containers[0]!.cpu.usageNanoCores, 5e8);
    assert.equal(s.node.cpu.usageNanoCores, 2e9);
    assert.deepEqual(s.pods[0]!.podRef, { name: 'web', namespace: 'default', uid: 'u1' });
    assert.equal(s.pods[0]!.containers[0]!.memory.workingSetBytes, 1024);
    assert.equal(s.node.memory.usageBytes, 2 << 30);
    assert.equal(s.node.startTime, '2023-11-14T22:13:20Z');
  });
});

describe('host totals', () => {
  it('counts busy jiffies of /proc/stat and MemTotal − MemAvailable', () => {
    assert.equal(parseProcStat('cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\n'), (100 + 5 + 50 + 3 + 2 + 1) * 1e7);
    assert.deepEqual(parseMeminfo('MemTotal:       1000 kB\nMemFree:         200 kB\nMemAvailable:    600 kB\n'), { workingSetBytes: 400 * 1024, usageBytes: 800 * 1024 });
  });
});
