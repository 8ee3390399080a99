import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeNode, makePod, makeSnapshot } from '../testing/fixtures.ts';
import type { PodObject } from './pod-info.ts';

describe('Snapshot', () => {
  it('assumes, confirms and forgets pods incrementally', () => {
    const s = makeSnapshot([makeNode('a'), makeNode('b')]);
    const p = makePod('p', { cpu: '1', labels: { app: 'x' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'x' } }, topologyKey: 'kubernetes.io/hostname' }] } } } });
    s.assume(p, 'a');
    assert.equal(s.get('a')!.requested.milliCPU, 1000);
    assert.ok(s.isAssumed(p.key));
    assert.equal(s.havePodsWithRequiredAntiAffinity.size, 1);
    s.forget(p.key);
    assert.equal(s.get('a')!.requested.milliCPU, 0);
    assert.equal(s.havePodsWithRequiredAntiAffinity.size, 0);
    s.assume(p, 'a');
    s.addPod(p, 'a'); // the binding seen from the API
    assert.equal(s.isAssumed(p.key), false);
    s.forget(p.key); // no-op once confirmed
    assert.equal(s.get('a')!.pods.size, 1);
    s.removePod(p.key);
    assert.equal(s.get('a')!.pods.size, 0);
  });

  it('confirms a bound pod by swapping in its new object, and recounts when its requests changed', () => {
    const s = makeSnapshot([makeNode('a')]);
    const p = makePod('p', { cpu: '1' });
    s.assume(p, 'a');
    const bound: PodObject = { ...p.pod, metadata: { ...p.pod.metadata, resourceVersion: '7' }, spec: { ...p.pod.spec!, nodeName: 'a' } };
    const confirmed = p.withPod(bound, 0);
    assert.equal(confirmed.requests, p.requests, 'nothing the requests derive from changed: shared');
    s.addPod(confirmed, 'a');
    assert.equal(s.isAssumed(p.key), false);
    assert.equal(s.get('a')!.pods.get(p.key), confirmed, 'plugins see the bound object');
    assert.equal(s.get('a')!.requested.milliCPU, 1000);
    assert.equal(s.get('a')!.reqMilliCPU, 1000);
    // A version whose requests differ is parsed afresh and the node's sums follow it.
    const resized: PodObject = { ...bound, spec: { ...bound.spec!, containers: [{ name: 'c', image: 'img', resources: { requests: { cpu: '2' } } }] } };
    const next = confirmed.withPod(resized, 0);
    assert.notEqual(next.requests, confirmed.requests);
    s.addPod(next, 'a');
    assert.equal(s.get('a')!.requested.milliCPU, 2000);
    assert.equal(s.get('a')!.reqMilliCPU, 2000);
    assert.equal(s.get('a')!.numPods, 1);
    // Relabelled: the terms may select differently, so no sharing either.
    assert.notEqual(next.withPod({ ...resized, metadata: { ...resized.metadata, labels: { app: 'y' } } }, 0).requests, next.requests);
  });

  it('keeps pods of a deleted node until they go, and counts images per node', () => {
    const img = [{ names: ['i:1'], sizeBytes: 1 }];
    const s = makeSnapshot([makeNode('a', { images: img }), makeNode('b', { images: img })], [[makePod('p'), 'a']]);
    assert.equal(s.imageNodeCount.get('i:1'), 2);
    s.removeNode('a');
    assert.equal(s.numNodes, 1);
    assert.equal(s.get('a'), undefined);
    assert.equal(s.imageNodeCount.get('i:1'), 1);
    s.upsertNode(makeNode('a'));
    assert.equal(s.get('a')!.pods.size, 1, 'the pod is still accounted on the re-added node');
  });
});
