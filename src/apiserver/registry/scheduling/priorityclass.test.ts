import { test } from 'node:test';
import assert from 'node:assert/strict';
import { priorityClassStrategy } from './priorityclass.ts';

test('priorityclass defaults, value immutable', () => {
  const pc = { metadata: { name: 'hi' }, value: 1000 } as any;
  priorityClassStrategy.defaults!(pc);
  assert.equal(pc.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(priorityClassStrategy.validate(pc), []);
  const errs = priorityClassStrategy.validateUpdate!({ ...pc, value: 5 }, pc);
  assert.equal(errs[0]?.field, 'value');
  assert.equal(priorityClassStrategy.validate({ ...pc, value: 2000000000 })[0]?.field, 'value');
});
