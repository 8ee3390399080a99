import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Usage, formatMilli, parseMilli } from './quantity.ts';
import { podConstraintsError, podUsage } from './usage.ts';

describe('quota quantities', () => {
  it('parses and prints canonically', () => {
    assert.equal(parseMilli('500m'), 500n);
    assert.equal(parseMilli('1e3'), 1_000_000n);
    // Exponents past 1000 are refused instead of computed (1e99999999 took seconds).
    assert.equal(parseMilli('1e99999999'), undefined);
    assert.equal(parseMilli('1e-99999999'), undefined);
    assert.equal(parseMilli('1.5'), 1500n);
    assert.equal(formatMilli(parseMilli('128Mi')!, true), '128Mi');
    assert.equal(formatMilli(1500n), '1500m');
    assert.equal(Usage.from({ pods: '3', 'requests.cpu': '250m' }).pretty(), 'pods=3,requests.cpu=250m');
  });
  it('counts pod compute, and none once terminal', () => {
    const p = { spec: { containers: [{ name: 'c', resources: { requests: { cpu: '100m' }, limits: { memory: '1Gi' } } }] } };
    assert.equal(podUsage(p, 0).pretty(), 'count/pods=1,cpu=100m,limits.memory=1Gi,pods=1,requests.cpu=100m');
    assert.equal(podUsage({ ...p, status: { phase: 'Succeeded' } }, 0).pretty(), 'count/pods=1');
    assert.equal(podConstraintsError(p, ['limits.cpu', 'pods']), 'must specify limits.cpu for: c');
  });
});
