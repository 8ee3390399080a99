import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../api/object.ts';
import { timeLeftMs } from './ttl-after-finished.ts';

const job = (ttl: number | undefined, cond?: { type: string; at: string }, deleting = false): Job & KubeObject => ({
  metadata: { name: 'j', namespace: 'ns', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { ttlSecondsAfterFinished: ttl, template: {} },
  status: cond ? { conditions: [{ type: cond.type, status: 'True', lastTransitionTime: cond.at }] } : {},
});

test('a finished job expires ttlSecondsAfterFinished after its finish condition', () => {
  const at = '2026-01-01T00:00:00Z';
  const t0 = Date.parse(at);
  assert.equal(timeLeftMs(job(60, { type: 'Complete', at }), t0 + 10_000), 50_000);
  assert.equal(timeLeftMs(job(0, { type: 'Failed', at }), t0), 0);
  assert.ok(timeLeftMs(job(5, { type: 'Complete', at }), t0 + 6_000)! < 0);
});

test('running, TTL-less and already deleting jobs never expire', () => {
  const at = '2026-01-01T00:00:00Z';
  assert.equal(timeLeftMs(job(60), Date.parse(at)), undefined);
  assert.equal(timeLeftMs(job(60, { type: 'SuccessCriteriaMet', at }), Date.parse(at)), undefined);
  assert.equal(timeLeftMs(job(undefined, { type: 'Complete', at }), Date.parse(at)), undefined);
  assert.equal(timeLeftMs(job(60, { type: 'Complete', at }, true), Date.parse(at)), undefined);
});
