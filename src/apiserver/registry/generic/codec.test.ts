import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/object.ts';
import type { KeyValue } from '../../../storage/interface.ts';
import { allStrategies } from '../index.ts';
import { ResourceCodec } from './codec.ts';

const pods = allStrategies.find((s) => s.info.group === '' && s.info.resource === 'pods')!;

function stored(codec: ResourceCodec, obj: KubeObject, rev: number): KeyValue {
  return { key: codec.key('default', 'p'), value: codec.encode(obj), createRevision: rev, modRevision: rev };
}

test('written() gives what decoding the stored bytes gives, members in the same order', () => {
  const codec = new ResourceCodec(pods);
  // Members out of the usual order, apiVersion/kind missing, a stale resourceVersion inside.
  const obj = { spec: { nodeName: 'n1' }, metadata: { resourceVersion: '3', name: 'p', namespace: 'default', labels: { a: 'b' } }, status: { phase: 'Pending' } } as KubeObject;
  const kv = stored(codec, obj, 42);
  const written = codec.written(obj, kv);
  assert.equal(JSON.stringify(written), JSON.stringify(codec.decode(kv)));
  assert.equal(written.metadata.resourceVersion, '42');
});

test('a shared write is what watchers of that revision get; otherwise they decode', () => {
  const codec = new ResourceCodec(pods);
  const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' } } as KubeObject;
  const kv = stored(codec, obj, 7);
  const written = codec.written(obj, kv, true);
  assert.equal(codec.decodeShared(kv).object, written);
  // Keyed by revision: the same version read back from storage is a different KeyValue.
  assert.equal(codec.decodeShared({ ...kv }).object, written);
  const other = stored(codec, obj, 8);
  const unshared = codec.written(obj, other);
  assert.notEqual(codec.decodeShared(other).object, unshared);
  assert.deepEqual(codec.decodeShared(other).object, unshared);
});
