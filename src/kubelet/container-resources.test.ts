import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerResources, milliCpuToShares } from './container-resources.ts';

describe('containerResources', () => {
  it('maps limits and requests as the kubelet does', () => {
    assert.deepEqual(containerResources({ name: 'c', resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m' } } }), {
      cpuShares: 256, cpuLimitMillis: 500, memoryLimitBytes: 64 * 1024 * 1024,
    });
    assert.deepEqual(containerResources({ name: 'c', resources: { limits: { cpu: '2' } } }), { cpuShares: 2048, cpuLimitMillis: 2000 });
    assert.deepEqual(containerResources({ name: 'c', resources: { requests: { cpu: '0.1' } } }), { cpuShares: 102 });
  });
  it('gives best-effort containers the minimum shares and no limits', () => {
    assert.deepEqual(containerResources({ name: 'c' }), { cpuShares: 2 });
    assert.equal(milliCpuToShares(1), 2);
    assert.equal(milliCpuToShares(1_000_000), 262144);
  });
});
