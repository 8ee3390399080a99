import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { Indexer, namespaceIndex } from './indexer.ts';

type P = Pod & KubeObject;
const pod = (ns: string, name: string, node?: string, labels?: Record<string, string>): P => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: ns, name, labels },
  spec: { containers: [], nodeName: node },
});
const byNode = (p: P) => (p.spec?.nodeName ? [p.spec.nodeName] : []);
const names = (ps: P[]) => ps.map((p) => p.metadata?.name).sort();

describe('Indexer', () => {
  it('stores by namespace/name and by name for cluster-scoped objects', () => {
    const s = new Indexer<KubeObject>();
    s.set(pod('a', 'p1'));
    s.set({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    assert.equal(s.size, 2);
    assert.equal(s.get('a/p1')?.metadata?.name, 'p1');
    assert.equal(s.getByName('a', 'p1')?.metadata?.name, 'p1');
    assert.equal(s.get('n1')?.kind, 'Node');
    assert.equal(s.getByName(undefined, 'n1')?.kind, 'Node');
    assert.equal(s.getByName('', 'n1')?.kind, 'Node');
    assert.deepEqual(s.keys().sort(), ['a/p1', 'n1']);
  });

  it('keeps the namespace index by default', () => {
    const s = new Indexer<P>();
    s.set(pod('a', 'p1'));
    s.set(pod('a', 'p2'));
    s.set(pod('b', 'p1'));
    assert.deepEqual(names(s.byIndex(namespaceIndex, 'a')), ['p1', 'p2']);
    assert.deepEqual(names(s.byIndex(namespaceIndex, 'b')), ['p1']);
    assert.deepEqual(s.byIndex(namespaceIndex, 'c'), []);
  });

  it('moves an object between index values when it is updated', () => {
    const s = new Indexer<P>();
    s.addIndex('node', byNode);
    s.set(pod('a', 'p1'));
    assert.deepEqual(s.byIndex('node', 'n1'), []);
    const replaced = s.set(pod('a', 'p1', 'n1'));
    assert.equal(replaced?.spec?.nodeName, undefined, 'set returns the object it replaced');
    assert.deepEqual(names(s.byIndex('node', 'n1')), ['p1']);
    s.set(pod('a', 'p1', 'n2'));
    assert.deepEqual(s.byIndex('node', 'n1'), [], 'the old value no longer lists it');
    assert.deepEqual(names(s.byIndex('node', 'n2')), ['p1']);
    assert.equal(s.byIndex('node', 'n2')[0]?.spec?.nodeName, 'n2', 'the index returns the current object');
  });

  it('removes a deleted object from every index', () => {
    const s = new Indexer<P>();
    s.addIndex('node', byNode);
    s.set(pod('a', 'p1', 'n1'));
    s.set(pod('a', 'p2', 'n1'));
    assert.equal(s.delete('a/p1')?.metadata?.name, 'p1');
    assert.equal(s.delete('a/p1'), undefined, 'deleting a missing key is a no-op');
    assert.deepEqual(names(s.byIndex('node', 'n1')), ['p2']);
    assert.deepEqual(names(s.byIndex(namespaceIndex, 'a')), ['p2']);
    s.delete('a/p2');
    assert.deepEqual(s.byIndex('node', 'n1'), []);
    assert.deepEqual(s.byIndex(namespaceIndex, 'a'), []);
    assert.equal(s.size, 0);
  });

  it('indexes objects already stored when an index is added, and multi-valued indexes', () => {
    const s = new Indexer<P>();
    s.set(pod('a', 'p1', undefined, { app: 'web', tier: 'fe' }));
    s.set(pod('a', 'p2', undefined, { app: 'db' }));
    s.addIndex('labels', (p) => Object.entries(p.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`));
    assert.deepEqual(names(s.byIndex('labels', 'app=web')), ['p1']);
    assert.deepEqual(names(s.byIndex('labels', 'tier=fe')), ['p1']);
    s.set(pod('a', 'p1', undefined, { app: 'db' }));
    assert.deepEqual(s.byIndex('labels', 'tier=fe'), []);
    assert.deepEqual(names(s.byIndex('labels', 'app=db')), ['p1', 'p2']);
  });

  it('ignores a second index of the same name and rejects unknown index names', () => {
    const s = new Indexer<P>();
    s.addIndex('node', byNode);
    s.addIndex('node', () => ['other']);
    s.set(pod('a', 'p1', 'n1'));
    assert.deepEqual(names(s.byIndex('node', 'n1')), ['p1']);
    assert.throws(() => s.byIndex('nope', 'x'), /no index named nope/);
  });

  it('accepts custom indexers at construction in place of the namespace index', () => {
    const s = new Indexer<P>({ node: byNode });
    s.set(pod('a', 'p1', 'n1'));
    assert.deepEqual(names(s.byIndex('node', 'n1')), ['p1']);
    assert.throws(() => s.byIndex(namespaceIndex, 'a'));
  });
});
