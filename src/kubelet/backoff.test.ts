import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Backoff, goDuration } from './backoff.ts';

it('doubles from 10s to 300s and resets after 10 minutes without restarts', () => {
  const b = new Backoff();
  const k = 'uid/c';
  assert.equal(b.isInBackOffSince(k, 0, 1), false, 'the first restart is immediate');
  b.next(k, 0);
  assert.equal(b.get(k), 10_000);
  assert.equal(b.isInBackOffSince(k, 1000, 5000), true);
  assert.equal(b.isInBackOffSince(k, 1000, 11_001), false);
  const delays = [];
  let t = 20_000;
  for (let i = 0; i < 7; i++) {
    b.next(k, t);
    delays.push(b.get(k) / 1000);
    t += 1000;
  }
  assert.deepEqual(delays, [20, 40, 80, 160, 300, 300, 300]);
  assert.equal(b.isInBackOffSince(k, t, t + 601_000 + 1), false);
  b.next(k, t + 700_000);
  assert.equal(b.get(k), 10_000, 'reset after 2 × max without an update');
  assert.deepEqual([10_000, 80_000, 300_000].map(goDuration), ['10s', '1m20s', '5m0s']);
});
