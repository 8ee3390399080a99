import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyMergePatch, mergePatchValue } from './merge-patch.ts';

describe('applyMergePatch', () => {
  it('merges maps, deletes with null and replaces lists (kubectl label/annotate)', () => {
    const doc = Object.freeze({ metadata: Object.freeze({ labels: Object.freeze({ a: '1', b: '2' }) }), spec: { list: [1, 2] } });
    const out = applyMergePatch(doc, { metadata: { labels: { a: null, c: '3' } }, spec: { list: [3] } });
    assert.deepEqual(out, { metadata: { labels: { b: '2', c: '3' } }, spec: { list: [3] } });
    assert.deepEqual(doc.metadata.labels, { a: '1', b: '2' });
  });

  it('returns a result sharing nothing with the input', () => {
    const doc = { spec: { keep: { deep: 1 } } };
    const out = applyMergePatch(doc, { other: 1 }) as typeof doc;
    out.spec.keep.deep = 2;
    assert.equal(doc.spec.keep.deep, 1);
  });

  it('follows the RFC 7386 examples', () => {
    const cases: [unknown, unknown, unknown][] = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [['a', 'b'], ['c', 'd'], ['c', 'd']],
      [{ a: 'foo' }, null, null],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [[1, 2], { a: 'b', c: null }, { a: 'b' }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    for (const [target, patch, want] of cases) assert.deepEqual(mergePatchValue(target, patch), want);
  });

  it('does not let __proto__ keys change prototypes', () => {
    const out = applyMergePatch({}, JSON.parse('{"__proto__":{"polluted":1}}') as unknown) as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(out), ['__proto__']);
  });
});
