import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../status.ts';
import { applyJsonPatch } from './json-patch.ts';

const doc = () => ({ metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1, list: ['a', 'b'] } });

function failure(patch: unknown): StatusError {
  try {
    applyJsonPatch(doc(), patch);
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return e;
  }
  assert.fail('expected the patch to fail');
}
const cause = (e: StatusError) => e.toStatus().details?.causes?.[0]?.message;

describe('applyJsonPatch', () => {
  it('applies add, replace, remove, move, copy and test without touching the input', () => {
    const input = Object.freeze(doc());
    const patch = [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/metadata/labels/tier', value: 'fe' },
      { op: 'remove', path: '/metadata/labels/app' },
      { op: 'add', path: '/spec/list/-', value: 'c' },
      { op: 'move', from: '/spec/list/0', path: '/spec/first' },
      { op: 'copy', from: '/metadata/name', path: '/spec/name' },
      { op: 'add', path: '/metadata/annotations', value: { 'a~b/c': 'x' } },
      { op: 'remove', path: '/metadata/annotations/a~0b~1c' },
    ];
    const out = applyJsonPatch(input, patch);
    assert.deepEqual(out, {
      metadata: { name: 'web', labels: { tier: 'fe' }, annotations: {} },
      spec: { replicas: 3, list: ['b', 'c'], first: 'a', name: 'web' },
    });
    assert.deepEqual(input, doc());
    assert.deepEqual(patch[2], { op: 'add', path: '/metadata/labels/tier', value: 'fe' });
  });

  it('does not share patch values with the result', () => {
    const value = { k: 'v' };
    const out = applyJsonPatch(doc(), [{ op: 'add', path: '/spec/obj', value }]);
    (out.spec as unknown as { obj: { k: string } }).obj.k = 'changed';
    assert.equal(value.k, 'v');
  });

  it('reports a failed test as 422 Invalid like the apiserver', () => {
    const e = failure([{ op: 'test', path: '/spec/replicas', value: 2 }]);
    assert.equal(e.code, 422);
    assert.equal(e.reason, 'Invalid');
    assert.equal(e.message, 'the server rejected our request due to an error in our request');
    assert.equal(cause(e), 'testing value /spec/replicas failed: test failed');
  });

  it('reports missing paths with json-patch messages', () => {
    assert.equal(cause(failure([{ op: 'replace', path: '/spec/nope', value: 1 }])), 'replace operation does not apply: doc is missing key: /spec/nope: missing value');
    assert.equal(
      cause(failure([{ op: 'remove', path: '/spec/nope' }])),
      "error in remove for path: '/spec/nope': Unable to remove nonexistent key: nope: missing value",
    );
    assert.equal(cause(failure([{ op: 'add', path: '/a/b/c', value: 1 }])), 'add operation does not apply: doc is missing path: "/a/b/c": missing value');
    assert.equal(cause(failure([{ op: 'move', from: '/x', path: '/y' }])), 'move operation does not apply: doc is missing from path: /x: missing value');
    assert.equal(cause(failure([{ op: 'frobnicate', path: '/x' }])), 'Unexpected kind: frobnicate');
    assert.equal(failure([{ op: 'add', path: '/spec/list/9', value: 'x' }]).code, 422);
  });

  it('rejects patches that do not decode as a list of operations with 400', () => {
    const e = failure({ op: 'add' });
    assert.equal(e.code, 400);
    assert.equal(e.message, 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
    assert.equal(failure(['x']).code, 400);
  });

  it('limits the number of operations', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/spec/replicas', value: 1 }));
    assert.equal(failure(ops).code, 413);
  });

  it('refuses __proto__ paths', () => {
    assert.equal(failure([{ op: 'add', path: '/__proto__/polluted', value: 1 }]).code, 422);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
