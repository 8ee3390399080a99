import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStats, ContainerStatus, PodSandboxStatus, Runtime } from '../runtime/interface.ts';
import { collectNodeUsage } from './collect.ts';
import { renderResourceMetrics } from './prometheus.ts';
import { SummaryRenderer } from './summary.ts';

const stats = (cpu: number, mem: number): ContainerStats => ({ timestamp: 1_700_000_010_000, cpuUsageNanos: cpu, memoryUsageBytes: mem, memoryWorkingSetBytes: mem });

/** Just the calls collectNodeUsage makes; `podStats` off: a runtime without pod cgroups. */
function fakeRuntime(podStats: boolean): Runtime {
  const sandbox = { id: 's1', uid: 'u1', name: 'web', namespace: 'default', state: 'ready', createdAt: 1 } as PodSandboxStatus;
  const ctr = (id: string, name: string) => ({ id, name, state: 'running', startedAt: 2 }) as ContainerStatus;
  const rt = {
    name: 'fake',
    listPodSandboxes: async () => [sandbox],
    listContainers: async () => [ctr('c1', 'a'), ctr('c2', 'b')],
    containerStats: async (id: string) => (id === 'c1' ? stats(1e9, 100) : stats(2e9, 200)),
    // The pod cgroup also holds what exited containers used and non-container processes.
    ...(podStats ? { podSandboxStats: async (id: string) => (id === 's1' ? stats(5e9, 1000) : undefined) } : {}),
  };
  return rt as unknown as Runtime;
}

const pods = (): Pod[] => [{ metadata: { uid: 'u1', name: 'web', namespace: 'default' } }];

describe('pod usage', () => {
  it('reports the pod cgroup when the runtime has one', async () => {
    const u = await collectNodeUsage({ nodeName: 'n1', runtime: fakeRuntime(true), pods, startTime: 0 });
    assert.deepEqual(u.pods[0]!.pod, { timestamp: 1_700_000_010_000, cpuUsageNanos: 5e9, memoryWorkingSetBytes: 1000, memoryUsageBytes: 1000 });
    const s = new SummaryRenderer().render(u);
    assert.equal(s.pods[0]!.cpu.usageCoreNanoSeconds, 5e9);
    assert.equal(s.pods[0]!.memory.workingSetBytes, 1000);
    assert.equal(s.pods[0]!.containers.length, 2);
    assert.equal(s.pods[0]!.containers[1]!.memory.workingSetBytes, 200);
    const text = renderResourceMetrics(u);
    assert.match(text, /^pod_cpu_usage_seconds_total\{namespace="default",pod="web"\} 5 1700000010000$/m);
    assert.match(text, /^pod_memory_working_set_bytes\{namespace="default",pod="web"\} 1000 1700000010000$/m);
    assert.match(text, /^container_cpu_usage_seconds_total\{container="b",namespace="default",pod="web"\} 2 1700000010000$/m);
  });

  it('sums the containers without pod cgroups', async () => {
    const u = await collectNodeUsage({ nodeName: 'n1', runtime: fakeRuntime(false), pods, startTime: 0 });
    assert.equal(u.pods[0]!.pod, undefined);
    const s = new SummaryRenderer().render(u);
    assert.equal(s.pods[0]!.cpu.usageCoreNanoSeconds, 3e9);
    assert.equal(s.pods[0]!.memory.workingSetBytes, 300);
    assert.match(renderResourceMetrics(u), /^pod_cpu_usage_seconds_total\{namespace="default",pod="web"\} 3 1700000010000$/m);
  });
});
