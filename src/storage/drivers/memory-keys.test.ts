import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SortedKeys } from './memory-keys.ts';

/** A small deterministic PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

test('SortedKeys keeps keys in order across chunk splits and retain', () => {
  const rand = rng(7);
  const keys = new SortedKeys();
  const model = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const k = `/registry/core/${['pods', 'events', 'nodes'][Math.floor(rand() * 3)]}/ns-${Math.floor(rand() * 7)}/obj-${Math.floor(rand() * 100_000)}`;
    if (model.has(k)) continue;
    model.add(k);
    keys.insert(k);
  }
  const sorted = [...model].sort();
  assert.equal(keys.size, sorted.length);
  assert.deepEqual([...keys.from('')], sorted);
  for (const from of ['/registry/core/events/', '/registry/core/nodes/ns-3/', sorted[1234]!, '/zzz']) {
    assert.deepEqual([...keys.from(from)], sorted.filter((k) => k >= from), from);
  }
  keys.retain((k) => !k.includes('/events/'));
  const kept = sorted.filter((k) => !k.includes('/events/'));
  assert.equal(keys.size, kept.length);
  assert.deepEqual([...keys.from('/registry/core/nodes/')], kept.filter((k) => k >= '/registry/core/nodes/'));
  keys.insert('/registry/core/events/a');
  assert.deepEqual([...keys.from('/registry/core/events/')].slice(0, 1), ['/registry/core/events/a']);
  keys.retain(() => false);
  assert.equal(keys.size, 0);
  assert.deepEqual([...keys.from('')], []);
  keys.insert('b');
  keys.insert('a');
  assert.deepEqual([...keys.from('')], ['a', 'b']);
});
