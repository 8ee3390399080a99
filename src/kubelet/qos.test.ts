import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { computePodQOS, milliCpuToQuota, podCgroupParent, podQOSClass, podResourceConfig } from './qos.ts';

type R = Record<string, string>;
const ctr = (name: string, requests?: R, limits?: R, extra: Partial<Container> = {}): Container => ({
  name, resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) }, ...extra,
});
const pod = (containers: Container[], extra: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'p', uid: 'u-1' }, spec: { containers, ...extra },
});
const Mi = 1 << 20;

describe('QoS class (upstream ComputePodQOS)', () => {
  const cases: [string, Pod, string][] = [
    ['no resources', pod([ctr('a'), ctr('b')]), 'BestEffort'],
    ['zero requests count as none', pod([ctr('a', { cpu: '0' })]), 'BestEffort'],
    ['requests = limits for cpu and memory', pod([ctr('a', { cpu: '100m', memory: '100Mi' }, { cpu: '100m', memory: '100Mi' })]), 'Guaranteed'],
    ['limits equal to the (defaulted) requests', pod([ctr('a', { cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })]), 'Guaranteed'],
    ['0.1 cpu equals 100m', pod([ctr('a', { cpu: '0.1', memory: '1Gi' }, { cpu: '100m', memory: '1024Mi' })]), 'Guaranteed'],
    ['cpu limit only', pod([ctr('a', { cpu: '100m' }, { cpu: '100m' })]), 'Burstable'],
    ['requests below limits', pod([ctr('a', { cpu: '50m', memory: '100Mi' }, { cpu: '100m', memory: '100Mi' })]), 'Burstable'],
    ['one best-effort container', pod([ctr('a', { cpu: '100m', memory: '100Mi' }, { cpu: '100m', memory: '100Mi' }), ctr('b')]), 'Burstable'],
    ['a best-effort init container', pod([ctr('a', { cpu: '100m', memory: '1Mi' }, { cpu: '100m', memory: '1Mi' })], { initContainers: [ctr('i')] }), 'Burstable'],
    ['only extended resources', pod([ctr('a', { 'nvidia.com/gpu': '1' }, { 'nvidia.com/gpu': '1' })]), 'BestEffort'],
  ];
  for (const [what, p, want] of cases) it(what, () => assert.equal(computePodQOS(p), want));

  it('prefers status.qosClass', () => {
    assert.equal(podQOSClass({ ...pod([ctr('a')]), status: { qosClass: 'Burstable' } }), 'Burstable');
    assert.equal(podQOSClass(pod([ctr('a')])), 'BestEffort');
  });
});

describe('pod cgroup resources (upstream ResourceConfigForPod)', () => {
  const cases: [string, Pod, ReturnType<typeof podResourceConfig>][] = [
    ['best-effort: 2 shares and nothing else', pod([ctr('a'), ctr('b')]), { cpuShares: 2 }],
    ['burstable without limits: shares from requests', pod([ctr('a', { cpu: '100m', memory: '100Mi' })]), { cpuShares: 102 }],
    ['burstable with limits: quota and memory', pod([ctr('a', { cpu: '100m', memory: '100Mi' }, { cpu: '200m', memory: '200Mi' })]), { cpuShares: 102, cpuLimitMillis: 200, memoryLimitBytes: 200 * Mi }],
    ['burstable, one container without limits: no quota, no memory', pod([ctr('a', { cpu: '100m' }, { cpu: '200m', memory: '200Mi' }), ctr('b', { cpu: '100m' })]), { cpuShares: 204 }],
    ['burstable, every container with a cpu limit only', pod([ctr('a', { cpu: '100m' }, { cpu: '200m' }), ctr('b', { cpu: '100m' }, { cpu: '300m' })]), { cpuShares: 204, cpuLimitMillis: 500 }],
    ['guaranteed: sums', pod([ctr('a', { cpu: '100m', memory: '100Mi' }, { cpu: '100m', memory: '100Mi' }), ctr('b', { cpu: '100m', memory: '100Mi' }, { cpu: '100m', memory: '100Mi' })]), { cpuShares: 204, cpuLimitMillis: 200, memoryLimitBytes: 200 * Mi }],
    ['guaranteed with overhead', pod([ctr('a', { cpu: '100m', memory: '100Mi' }, { cpu: '100m', memory: '100Mi' })], { overhead: { cpu: '10m', memory: '10Mi' } }), { cpuShares: 112, cpuLimitMillis: 110, memoryLimitBytes: 110 * Mi }],
    ['overhead adds only to limits that are set', pod([ctr('a', { cpu: '100m' }, { cpu: '100m' })], { overhead: { cpu: '10m', memory: '10Mi' } }), { cpuShares: 112, cpuLimitMillis: 110 }],
    ['an init container above the sum of apps wins', pod([ctr('a', { cpu: '100m', memory: '100Mi' }, { cpu: '100m', memory: '100Mi' })], { initContainers: [ctr('i', { cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })] }), { cpuShares: 1024, cpuLimitMillis: 1000, memoryLimitBytes: 1024 * Mi }],
    ['the sum of apps above an init container wins', pod([ctr('a', { cpu: '300m', memory: '100Mi' }, { cpu: '300m', memory: '100Mi' }), ctr('b', { cpu: '300m', memory: '100Mi' }, { cpu: '300m', memory: '100Mi' })], { initContainers: [ctr('i', { cpu: '500m', memory: '150Mi' }, { cpu: '500m', memory: '150Mi' })] }), { cpuShares: 614, cpuLimitMillis: 600, memoryLimitBytes: 200 * Mi }],
    ['a sidecar init container adds to the apps', pod([ctr('a', { cpu: '100m', memory: '100Mi' }, { cpu: '100m', memory: '100Mi' })], { initContainers: [ctr('s', { cpu: '100m', memory: '50Mi' }, { cpu: '100m', memory: '50Mi' }, { restartPolicy: 'Always' })] }), { cpuShares: 204, cpuLimitMillis: 200, memoryLimitBytes: 150 * Mi }],
    ['an init container without a memory limit leaves memory unlimited', pod([ctr('a', { cpu: '100m' }, { cpu: '100m', memory: '100Mi' })], { initContainers: [ctr('i', { cpu: '100m' }, { cpu: '100m' })] }), { cpuShares: 102, cpuLimitMillis: 100 }],
  ];
  for (const [what, p, want] of cases) it(what, () => assert.deepEqual(podResourceConfig(p), want));

  it('converts millicores to quota as MilliCPUToQuota (100 ms period, 1 ms minimum)', () => {
    assert.equal(milliCpuToQuota(0), 0);
    assert.equal(milliCpuToQuota(5), 1000);
    assert.equal(milliCpuToQuota(10), 1000);
    assert.equal(milliCpuToQuota(200), 20000);
    assert.equal(milliCpuToQuota(1500), 150000);
  });
});

describe('pod cgroup path', () => {
  it('puts Guaranteed pods under kubepods, the others under their tier, rooted per node', () => {
    assert.equal(podCgroupParent('n1', pod([ctr('a', { cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })])), '/skiff/n1/kubepods/podu-1');
    assert.equal(podCgroupParent('n1', pod([ctr('a', { cpu: '1' })])), '/skiff/n1/kubepods/burstable/podu-1');
    assert.equal(podCgroupParent('n1', pod([ctr('a')])), '/skiff/n1/kubepods/besteffort/podu-1');
  });
});
