import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventFromCore, eventToCore, eventV1Strategy, type EV } from './event.ts';

const ev: EV = {
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name: 'e1', namespace: 'default' },
  eventTime: '2026-01-01T00:00:00.000000Z',
  note: 'Pulled image',
  reason: 'Pulled',
  type: 'Normal',
  action: 'Pull',
  reportingController: 'kubelet',
  reportingInstance: 'node-1',
  regarding: { kind: 'Pod', name: 'web-1', namespace: 'default' },
};

test('events.k8s.io ↔ core round trip', () => {
  const core = eventToCore(ev) as Record<string, unknown>;
  assert.equal(core.apiVersion, 'v1');
  assert.equal(core.message, 'Pulled image');
  assert.equal(core.reportingComponent, 'kubelet');
  assert.deepEqual(core.involvedObject, ev.regarding);
  assert.deepEqual(eventFromCore(core as never), ev);
  assert.deepEqual(eventV1Strategy.validate(ev), []);
  const cells = eventV1Strategy.table.cells(ev, new Date('2026-01-01T00:01:00Z'));
  assert.deepEqual(cells, ['60s', 'Normal', 'Pulled', 'pod/web-1', '', 'kubelet, node-1', 'Pulled image', '60s', 1, 'e1']);
});
