import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { terminatedToDelete } from './podgc.ts';

const pod = (name: string, phase: string, created: string, reason?: string) => ({
  metadata: { name, creationTimestamp: created },
  status: { phase, reason },
});

describe('terminated pod threshold', () => {
  it('deletes the excess, evicted first then oldest', () => {
    const pods = [
      pod('new', 'Succeeded', '2026-01-03T00:00:00Z'),
      pod('old', 'Failed', '2026-01-01T00:00:00Z'),
      pod('evicted', 'Failed', '2026-01-05T00:00:00Z', 'Evicted'),
      pod('running', 'Running', '2020-01-01T00:00:00Z'),
    ];
    assert.deepEqual(terminatedToDelete(pods, 1).map((p) => p.metadata?.name), ['evicted', 'old']);
    assert.deepEqual(terminatedToDelete(pods, 3), []);
    assert.deepEqual(terminatedToDelete(pods, 0), [], 'a threshold of 0 turns this off');
  });
});
