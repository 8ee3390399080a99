import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/object.ts';
import { applyWebhookPatch } from './patch.ts';

const b64 = (ops: unknown) => Buffer.from(JSON.stringify(ops)).toString('base64');

describe('webhook JSONPatch', () => {
  it('applies in place, keeping the same object identity', () => {
    const obj = { metadata: { name: 'p', labels: { a: '1' } }, spec: { x: 1 } } as unknown as KubeObject;
    const same = obj;
    applyWebhookPatch(obj, b64([{ op: 'add', path: '/metadata/labels/b', value: '2' }, { op: 'remove', path: '/spec' }]));
    assert.equal(obj, same);
    assert.deepEqual(obj, { metadata: { name: 'p', labels: { a: '1', b: '2' } } });
  });
  it('rejects a patch that does not apply and leaves the object alone', () => {
    const obj = { metadata: { name: 'p' } } as KubeObject;
    assert.throws(() => applyWebhookPatch(obj, b64([{ op: 'replace', path: '/spec/x', value: 1 }])));
    assert.deepEqual(obj, { metadata: { name: 'p' } });
  });
});
