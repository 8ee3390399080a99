/**
 * Nominated pods: the nominator's bookkeeping, and filters that count nominated pods of
 * equal or higher priority as already placed (upstream addNominatedPods).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InterPodAffinity } from '../plugins/inter-pod-affinity.ts';
import { NodeResourcesFit } from '../plugins/node-resources-fit.ts';
import { PrioritySort } from '../plugins/priority-sort.ts';
import { makeNode, makePod, makeSnapshot } from '../testing/fixtures.ts';
import { CycleState } from './cycle-state.ts';
import { Framework } from './framework.ts';
import { Nominator } from './nominator.ts';
import type { Snapshot } from './snapshot.ts';

function frameworkFor(snapshot: Snapshot): Framework {
  return new Framework({ schedulerName: 'default-scheduler', plugins: [new PrioritySort(), new NodeResourcesFit(), new InterPodAffinity(snapshot)] });
}

function filterOn(fw: Framework, snapshot: Snapshot, pod: ReturnType<typeof makePod>, node: string, nominator: Nominator) {
  const state = new CycleState();
  const pre = fw.runPreFilter(state, pod, snapshot);
  assert.equal(pre.status, null);
  return fw.runFiltersWithNominatedPods(fw.activeFilters(state), state, pod, snapshot.get(node)!, nominator);
}

describe('Nominator', () => {
  it('tracks one node per pod and follows informer updates as upstream', () => {
    const n = new Nominator();
    const p = makePod('p');
    n.add(p, 'a');
    n.add(p, 'b');
    assert.deepEqual([...n.podsOn('a')], []);
    assert.deepEqual([...n.podsOn('b')].map((x) => x.key), ['default/p']);
    // Our own nomination is kept while the status does not show it yet ...
    n.update(undefined, p);
    assert.equal(n.nominatedNode('default/p'), 'b');
    // ... and dropped once the status had one and no longer has it.
    n.update('b', p);
    assert.equal(n.nominatedNode('default/p'), undefined);
    assert.equal(n.empty, true);
    n.add(p, '');
    assert.equal(n.size, 0);
  });
});

describe('filters with nominated pods', () => {
  it('counts a nominated pod of equal or higher priority as placed, not a lower one', () => {
    const snapshot = makeSnapshot([makeNode('n', { cpu: '2' })]);
    const fw = frameworkFor(snapshot);
    const nominator = new Nominator();
    const pod = makePod('p', { cpu: '1500m', priority: 10 });
    assert.equal(filterOn(fw, snapshot, pod, 'n', nominator), null);

    nominator.add(makePod('low', { cpu: '1', priority: 5 }), 'n');
    assert.equal(filterOn(fw, snapshot, pod, 'n', nominator), null, 'a lower-priority nomination does not hold space');

    nominator.add(makePod('high', { cpu: '1', priority: 10 }), 'n');
    assert.deepEqual(filterOn(fw, snapshot, pod, 'n', nominator)?.reasons, ['Insufficient cpu']);
    // The pod's own nomination never blocks it.
    const self = makePod('high', { cpu: '1', priority: 10 });
    assert.equal(filterOn(fw, snapshot, self, 'n', nominator), null);
    // The live node is untouched by the what-if copy.
    assert.equal(snapshot.get('n')!.pods.size, 0);
  });

  it('also requires a fit without them: affinity to a nominated pod is not enough', () => {
    const snapshot = makeSnapshot([makeNode('n')]);
    const fw = frameworkFor(snapshot);
    const nominator = new Nominator();
    nominator.add(makePod('db', { labels: { app: 'db' }, priority: 100 }), 'n');
    const affine = makePod('web', {
      spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } } },
    });
    // Upstream: the first pass (with db counted) passes, the second (without) fails.
    const s = filterOn(fw, snapshot, affine, 'n', nominator);
    assert.notEqual(s, null);
    assert.equal(s?.plugin, 'InterPodAffinity');
  });

  it('respects required anti-affinity of a nominated pod', () => {
    const snapshot = makeSnapshot([makeNode('n')]);
    const fw = frameworkFor(snapshot);
    const nominator = new Nominator();
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'x' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    nominator.add(makePod('first', { labels: { app: 'x' }, spec: { affinity: anti }, priority: 1 }), 'n');
    const second = makePod('second', { labels: { app: 'x' }, spec: { affinity: anti }, priority: 1 });
    assert.equal(filterOn(fw, snapshot, second, 'n', nominator)?.plugin, 'InterPodAffinity');
    assert.equal(filterOn(fw, snapshot, second, 'n', new Nominator()), null);
  });
});
