import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalJson,
  computeHash,
  controllerRevisionHashLabel,
  controllerRevisionName,
  equalRevision,
  fnv32,
  fnv32a,
  hashControllerRevision,
  newControllerRevision,
  nextRevision,
  revisionsToPrune,
  safeEncodeString,
  sortRevisions,
  templateFromRevision,
  templatePatch,
  type Revision,
} from './history.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const rev = (name: string, revision: number, data: unknown = {}): Revision => ({ metadata: { name, namespace: 'd' }, revision, data: data as Revision['data'] });

describe('controller history', () => {
  it('FNV-1 and FNV-1a match the reference vectors', () => {
    // Go's hash/fnv: New32("a") = 0x050c5d7e, New32a("a") = 0xe40c292c; empty = offset basis.
    assert.equal(fnv32(enc('')), 0x811c9dc5);
    assert.equal(fnv32(enc('a')), 0x050c5d7e);
    assert.equal(fnv32a(enc('a')), 0xe40c292c);
    assert.equal(fnv32a(enc('foobar')), 0xbf9cf968);
  });

  it('safe-encodes with no vowels', () => {
    // Each digit maps to alphanums[charCode % 27], as upstream's rand.SafeEncodeString.
    assert.equal(safeEncodeString('0123456789'), '456789bcdf');
    assert.match(hashControllerRevision({ a: 1 }), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('hashes values regardless of key order, and the collision count changes the hash', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
    assert.equal(hashControllerRevision({ x: 1, y: 2 }), hashControllerRevision({ y: 2, x: 1 }));
    assert.notEqual(hashControllerRevision({ x: 1 }, 0), hashControllerRevision({ x: 1 }, 1));
    assert.notEqual(computeHash({ spec: { a: 1 } }), computeHash({ spec: { a: 2 } }));
    assert.equal(computeHash({ spec: { a: 1 } }, 0), computeHash({ spec: { a: 1 } }, 0));
  });

  it('stores the template as a replace patch and reads it back', () => {
    const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    const patch = templatePatch(template);
    assert.deepEqual(patch, { spec: { template: { ...template, $patch: 'replace' } } });
    const cr = newControllerRevision({ metadata: { name: 'web', namespace: 'd', uid: 'u1' } }, { apiVersion: 'apps/v1', kind: 'StatefulSet' }, { app: 'web' }, patch, 3);
    assert.deepEqual(templateFromRevision(cr), template);
    const hash = cr.metadata!.labels![controllerRevisionHashLabel]!;
    assert.equal(cr.metadata!.name, `web-${hash}`);
    assert.equal(cr.metadata!.labels!.app, 'web');
    assert.equal(cr.revision, 3);
    assert.deepEqual(cr.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
  });

  it('truncates long parent names so revision names stay valid', () => {
    assert.equal(controllerRevisionName('x'.repeat(300), 'abc').length, 223 + 4);
  });

  it('compares, orders and numbers revisions', () => {
    assert.ok(equalRevision(rev('a', 1, { x: { y: 1, z: 2 } }), rev('b', 2, { x: { z: 2, y: 1 } })));
    assert.ok(!equalRevision(rev('a', 1, { x: 1 }), rev('b', 2, { x: 2 })));
    assert.deepEqual(sortRevisions([rev('c', 3), rev('a', 1), rev('b', 2)]).map((r) => r.revision), [1, 2, 3]);
    assert.equal(nextRevision([]), 1);
    assert.equal(nextRevision([rev('a', 4), rev('b', 2)]), 5);
  });

  it('prunes the oldest unused revisions beyond the limit', () => {
    const all = [rev('r1', 1), rev('r2', 2), rev('r3', 3), rev('r4', 4), rev('r5', 5)];
    const inUse = (cr: Revision) => cr.metadata?.name === 'r1' || cr.metadata?.name === 'r5';
    assert.deepEqual(revisionsToPrune(all, 1, inUse).map((r) => r.metadata?.name), ['r2', 'r3']);
    assert.deepEqual(revisionsToPrune(all, 10, inUse), []);
    assert.deepEqual(revisionsToPrune(all, 0, () => false).map((r) => r.revision), [1, 2, 3, 4, 5]);
  });
});
