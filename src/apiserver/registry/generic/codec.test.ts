import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/object.ts';
import type { KeyValue } from '../../../storage/interface.ts';
import { allStrategies } from '../index.ts';
import { copyDecoded, ResourceCodec } from './codec.ts';

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

test('stored bytes are exactly what TextEncoder gives, a plain Uint8Array of their own', () => {
  const codec = new ResourceCodec(pods);
  const obj = { metadata: { name: 'p', namespace: 'default', annotations: { note: 'ünïcødé ✓ 𝄞' } }, spec: { nodeName: 'n1' } } as KubeObject;
  const bytes = codec.encodePlain(obj);
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: obj.metadata, spec: obj.spec });
  assert.deepEqual(bytes, new TextEncoder().encode(text));
  assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype);
  assert.equal(bytes.byteOffset, 0);
  assert.equal(bytes.buffer.byteLength, bytes.byteLength, 'not a slice of a shared pool');
});

test('copyDecoded gives what decoding the same bytes again gives', () => {
  const codec = new ResourceCodec(pods);
  const obj = {
    metadata: { name: 'p', namespace: 'default', labels: { a: 'b' } },
    spec: { containers: [{ name: 'c', image: 'x', args: ['1', '2'] }], priority: -0, nodeName: '' },
    status: { conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null }], extra: { __proto__: { x: 1 } } },
  } as unknown as KubeObject;
  const kv = stored(codec, JSON.parse(JSON.stringify(obj)) as KubeObject, 9);
  // A decoded value with an own "__proto__" member (JSON.parse makes one).
  const decoded = codec.decodeBytes(new TextEncoder().encode(JSON.stringify(codec.decode(kv)).replace('"extra":{}', '"extra":{"__proto__":{"x":1}}')), 9);
  const copy = copyDecoded(decoded);
  assert.equal(JSON.stringify(copy), JSON.stringify(decoded));
  assert.deepEqual(copy, decoded);
  assert.ok(Object.hasOwn((copy.status as { extra: object }).extra, '__proto__'));
  assert.equal(Object.getPrototypeOf((copy.status as { extra: object }).extra), Object.prototype);
  (copy.spec as { containers: { args: string[] }[] }).containers[0]!.args.push('3');
  assert.deepEqual((decoded.spec as { containers: { args: string[] }[] }).containers[0]!.args, ['1', '2'], 'a deep copy');
});

test('the shared decodes keep the most recent revisions, evicting the oldest first', () => {
  const codec = new ResourceCodec(pods);
  const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' } } as KubeObject;
  const kvs = Array.from({ length: 4096 + 10 }, (_, i) => stored(codec, obj, i + 1));
  const first = kvs.map((kv) => codec.decodeShared(kv).object);
  // The 10 oldest are gone (decoded anew), the rest are still shared.
  for (let i = 0; i < 10; i++) assert.notEqual(codec.decodeShared({ ...kvs[i]! }).object, first[i]);
  for (let i = 20; i < kvs.length; i++) assert.equal(codec.decodeShared({ ...kvs[i]! }).object, first[i], `revision ${i + 1}`);
});
