import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseResourceMetrics } from './parse.ts';
import { cpuQuantity, goDuration, memoryQuantity } from './quantity.ts';
import { MetricsStorage, rate } from './storage.ts';
import type { NodePoint } from './types.ts';

const point = (t: number, nodeCpu: number, containerCpu: number, startTime = 1000): NodePoint => ({
  nodeName: 'n1',
  timestamp: t,
  cpuUsageNanos: nodeCpu,
  memoryWorkingSetBytes: 500,
  pods: [{ namespace: 'ns', name: 'p', containers: [{ name: 'c', startTime, timestamp: t, cpuUsageNanos: containerCpu, memoryWorkingSetBytes: 100 }] }],
});

describe('metrics storage', () => {
  it('needs two points, then rates CPU between them', () => {
    const s = new MetricsStorage(15_000);
    s.store([point(100_000, 10e9, 1e9)]);
    assert.equal(s.nodeUsage().size, 0);
    assert.deepEqual(s.podUsage(), []);
    s.store([point(115_000, 40e9, 4e9)]);
    assert.deepEqual(s.nodeUsage().get('n1'), { timestamp: 115_000, windowMs: 15_000, cpuNanocores: 2e9, memoryBytes: 500 });
    const [p] = s.podUsage();
    assert.equal(p!.windowMs, 15_000);
    assert.deepEqual(p!.containers, [{ name: 'c', usage: { timestamp: 115_000, windowMs: 15_000, cpuNanocores: 2e8, memoryBytes: 100 } }]);
  });

  it('keeps the previous point when a scrape repeats the same sample', () => {
    const s = new MetricsStorage(15_000);
    s.store([point(100_000, 10e9, 1e9)]);
    s.store([point(110_000, 20e9, 2e9)]);
    s.store([point(110_000, 20e9, 2e9)]);
    assert.equal(s.nodeUsage().get('n1')!.cpuNanocores, 1e9);
    assert.equal(s.podUsage()[0]!.containers[0]!.usage.cpuNanocores, 1e8);
  });

  it('starts a restarted container over and forgets nodes that are gone', () => {
    const s = new MetricsStorage(15_000);
    s.store([point(100_000, 10e9, 5e9)]);
    s.store([point(130_000, 20e9, 1e9, 125_000)]);
    assert.deepEqual(s.podUsage(), []);
    s.store([]);
    assert.equal(s.nodeUsage().size, 0);
  });

  it('rates a fresh container against its start time, as upstream', () => {
    const s = new MetricsStorage(15_000);
    s.store([point(112_000, 1e9, 6e9, 100_000)]);
    assert.equal(s.podUsage()[0]!.containers[0]!.usage.cpuNanocores, 5e8);
  });

  it('refuses a counter that went backwards', () => {
    assert.equal(rate({ timestamp: 2, cpu: 1, memory: 0, startTime: 0 }, { timestamp: 1, cpu: 2, memory: 0, startTime: 0 }), undefined);
  });
});

describe('kubelet resource metrics parsing', () => {
  it('reads node and container series, dropping incomplete containers', () => {
    const text = [
      '# HELP container_cpu_usage_seconds_total [STABLE] x',
      '# TYPE container_cpu_usage_seconds_total counter',
      'container_cpu_usage_seconds_total{container="app",namespace="default",pod="web"} 1.5 1700000000000',
      'container_memory_working_set_bytes{container="app",namespace="default",pod="web"} 2048 1700000000000',
      'container_start_time_seconds{container="app",namespace="default",pod="web"} 1.6999e+09 1700000000000',
      'container_cpu_usage_seconds_total{container="half",namespace="default",pod="web"} 1 1700000000000',
      'node_cpu_usage_seconds_total 12.25 1700000000500',
      'node_memory_working_set_bytes 1e+09 1700000000500',
      'resource_scrape_error 0',
    ].join('\n');
    const p = parseResourceMetrics('n1', text, 5);
    assert.equal(p.timestamp, 1700000000500);
    assert.equal(p.cpuUsageNanos, 12.25e9);
    assert.equal(p.memoryWorkingSetBytes, 1e9);
    assert.deepEqual(p.pods, [{ namespace: 'default', name: 'web', containers: [{ name: 'app', startTime: 1.6999e12, timestamp: 1700000000000, cpuUsageNanos: 1.5e9, memoryWorkingSetBytes: 2048 }] }]);
  });
});

describe('quantities', () => {
  it('formats CPU, memory and windows as metrics-server does', () => {
    assert.equal(cpuQuantity(250e6), '250m');
    assert.equal(cpuQuantity(2e9), '2');
    assert.equal(cpuQuantity(253_123_456), '253123456n');
    assert.equal(cpuQuantity(0), '0');
    assert.equal(memoryQuantity(64 * 2 ** 20), '64Mi');
    assert.equal(memoryQuantity(5 * 1024), '5Ki');
    assert.equal(memoryQuantity(1000), '1000');
    assert.equal(goDuration(15_000), '15s');
    assert.equal(goDuration(1_502), '1.502s');
    assert.equal(goDuration(60_500), '1m0.5s');
    assert.equal(goDuration(424), '424ms');
  });
});
