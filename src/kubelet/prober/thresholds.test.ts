import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ProbeState } from './thresholds.ts';

it('reports only after the consecutive thresholds, as upstream', () => {
  const ready = new ProbeState('readiness', 2, 3);
  assert.equal(ready.result, 'failure');
  assert.equal(ready.observe(true), false);
  assert.equal(ready.result, 'failure', 'one success of two is not enough');
  assert.equal(ready.observe(true), true);
  assert.equal(ready.result, 'success');
  ready.observe(false);
  ready.observe(false);
  assert.equal(ready.result, 'success', 'two failures of three keep it ready');
  ready.observe(true);
  ready.observe(false);
  ready.observe(false);
  assert.equal(ready.result, 'success', 'a success in between restarts the count');
  assert.equal(ready.observe(false), true);
  assert.equal(ready.result, 'failure');
  assert.equal(ready.onHold, false, 'readiness keeps probing');

  const live = new ProbeState('liveness', 1, 2);
  assert.equal(live.result, 'success');
  live.observe(false);
  assert.equal(live.result, 'success');
  assert.equal(live.observe(false), true);
  assert.equal(live.result, 'failure');
  assert.equal(live.onHold, true, 'liveness holds after a reported failure');
  assert.equal(new ProbeState('startup', 1, 3).result, 'unknown');
});
