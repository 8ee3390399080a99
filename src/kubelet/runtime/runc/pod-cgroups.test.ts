import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { milliCpuToShares } from '../../container-resources.ts';
import {
  applyCgroup, kubepodsSettings, ownedCgroup, podCgroupLayout, podCgroupSettings, sharesToMilliCpu, tierSettings,
} from './pod-cgroups.ts';

describe('pod cgroup layout', () => {
  it('parses the per-node kubepods layout', () => {
    assert.deepEqual(podCgroupLayout('/skiff/n1/kubepods/podabc'), { nodeRoot: '/skiff/n1', kubepods: '/skiff/n1/kubepods', tier: '/skiff/n1/kubepods', qos: 'Guaranteed' });
    assert.deepEqual(podCgroupLayout('/skiff/n1/kubepods/burstable/podabc'), { nodeRoot: '/skiff/n1', kubepods: '/skiff/n1/kubepods', tier: '/skiff/n1/kubepods/burstable', qos: 'Burstable' });
    assert.deepEqual(podCgroupLayout('/skiff/n.x/kubepods/besteffort/podabc/')?.tier, '/skiff/n.x/kubepods/besteffort');
    assert.equal(podCgroupLayout('/skiff-test-runc/pod1'), undefined);
    assert.equal(podCgroupLayout('/skiff/podabc'), undefined);
    assert.equal(podCgroupLayout('/skiff/n1/kubepods/other/podabc'), undefined);
  });

  it('writes only under /skiff/', async () => {
    assert.equal(ownedCgroup('/skiff/n1/kubepods'), true);
    assert.equal(ownedCgroup('/skiff-test/pod1'), false);
    assert.equal(ownedCgroup('/skiff/../system.slice'), false);
    await assert.rejects(applyCgroup('/system.slice', {}), /outside \/skiff\//);
  });
});

describe('cgroup settings', () => {
  it('inverts MilliCPUToShares exactly above the minimum', () => {
    for (let m = 3; m < 5000; m++) assert.equal(sharesToMilliCpu(milliCpuToShares(m)), m, `${m}m`);
    assert.equal(sharesToMilliCpu(2), 0);
  });

  it('gives the pod cgroup shares, quota after period, memory and pids', () => {
    const s = podCgroupSettings({ cpuShares: 204, cpuLimitMillis: 200, memoryLimitBytes: 64 << 20 }, 100);
    assert.deepEqual(Object.entries(s.cpu!), [['cpu.shares', '204'], ['cpu.cfs_period_us', '100000'], ['cpu.cfs_quota_us', '20000']]);
    assert.deepEqual(s.memory, { 'memory.limit_in_bytes': String(64 << 20) });
    assert.deepEqual(s.pids, { 'pids.max': '100' });
    const be = podCgroupSettings({ cpuShares: 2 });
    assert.deepEqual(be.cpu, { 'cpu.shares': '2' });
    assert.deepEqual(be.memory, {});
    assert.deepEqual(be.pids, {});
  });

  it('sizes kubepods from allocatable and the tiers as the QoS manager', () => {
    assert.deepEqual(kubepodsSettings({ cpuMillis: 2000, memoryBytes: 4 * 2 ** 30 }).cpu, { 'cpu.shares': '2048' });
    assert.deepEqual(kubepodsSettings({ cpuMillis: 2000, memoryBytes: 4 * 2 ** 30 }).memory, { 'memory.limit_in_bytes': String(4 * 2 ** 30) });
    assert.deepEqual(tierSettings('BestEffort', [1024]).cpu, { 'cpu.shares': '2' });
    // 100m + 250m + a best-effort-like 2 shares: MilliCPUToShares(350m).
    assert.deepEqual(tierSettings('Burstable', [102, 256, 2]).cpu, { 'cpu.shares': String(milliCpuToShares(350)) });
    assert.deepEqual(tierSettings('Burstable', []).cpu, { 'cpu.shares': '2' });
  });

  it('makes the cgroup in the hierarchies that exist and writes the files it finds', async () => {
    const root = await mkdtemp(join(tmpdir(), 'skiff-cg-'));
    try {
      for (const h of ['cpu', 'memory']) await mkdir(join(root, h));
      // A kernel creates the files with the directory; here the test pre-creates one of them.
      await mkdir(join(root, 'cpu', 'skiff/n1/kubepods'), { recursive: true });
      await writeFile(join(root, 'cpu', 'skiff/n1/kubepods/cpu.shares'), '1024');
      await applyCgroup('/skiff/n1/kubepods', kubepodsSettings({ cpuMillis: 1000, memoryBytes: 1 << 30 }), root);
      assert.equal(await readFile(join(root, 'cpu/skiff/n1/kubepods/cpu.shares'), 'utf8'), '1024');
      await applyCgroup('/skiff/n1/kubepods', { cpu: { 'cpu.shares': '512' } }, root);
      assert.equal(await readFile(join(root, 'cpu/skiff/n1/kubepods/cpu.shares'), 'utf8'), '512');
      await assert.rejects(readFile(join(root, 'memory/skiff/n1/kubepods/memory.limit_in_bytes'), 'utf8'));
      await assert.rejects(readFile(join(root, 'pids/skiff/n1/kubepods/pids.max'), 'utf8'));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
