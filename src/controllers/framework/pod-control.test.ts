import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceClient } from '../../client/rest.ts';
import { Indexer } from '../../client/cache/indexer.ts';
import { selectorFromSet } from '../../machinery/labels.ts';
import {
  byControllerUIDOrOrphan,
  claimCandidates,
  claimObjects,
  comparePodsForDeletion,
  controllerUIDOrOrphanIndex,
  isPodAvailable,
  podFromTemplate,
  podsToDelete,
  slowStartBatch,
  type PodObject,
} from './pod-control.ts';

const now = new Date('2025-01-01T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: number; restarts?: number; created?: number } = {}): PodObject {
  return {
    metadata: { name, uid: name, creationTimestamp: ago(o.created ?? 1000) },
    spec: { containers: [{ name: 'c' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: ago(o.readySince ?? 500) }],
      containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: true, restartCount: o.restarts ?? 0 }],
    },
  } as PodObject;
}

const firstToGo = (a: PodObject, b: PodObject) => (comparePodsForDeletion(a, b, 0, 0, now) < 0 ? a.metadata!.name : b.metadata!.name);

describe('deletion ranking (ActivePodsWithRanks)', () => {
  it('unscheduled before scheduled', () => assert.equal(firstToGo(pod('a', { node: 'n1' }), pod('b')), 'b'));
  it('Pending before Unknown before Running', () => {
    assert.equal(firstToGo(pod('a', { node: 'n', phase: 'Running' }), pod('b', { node: 'n', phase: 'Pending' })), 'b');
    assert.equal(firstToGo(pod('a', { node: 'n', phase: 'Unknown' }), pod('b', { node: 'n', phase: 'Running' })), 'a');
  });
  it('not ready before ready', () => assert.equal(firstToGo(pod('a', { node: 'n' }), pod('b', { node: 'n', ready: false })), 'b'));
  it('more recently ready first (log buckets), then more restarts, then newer', () => {
    assert.equal(firstToGo(pod('a', { node: 'n', readySince: 4000 }), pod('b', { node: 'n', readySince: 10 })), 'b');
    assert.equal(firstToGo(pod('a', { node: 'n', restarts: 0 }), pod('b', { node: 'n', restarts: 3 })), 'b');
    assert.equal(firstToGo(pod('a', { node: 'n', created: 10 }), pod('b', { node: 'n', created: 5000 })), 'a');
  });
  it('doubled-up pods go first', () => {
    const a = pod('a', { node: 'n1' });
    const b = pod('b', { node: 'n2' });
    const c = pod('c', { node: 'n2' });
    const out = podsToDelete([a, b], [a, b, c], 1, now);
    assert.equal(out[0]!.metadata!.name, 'b');
  });
  it('returns every pod when asked for more than there are', () => assert.equal(podsToDelete([pod('a')], [], 3, now).length, 1));
});

describe('availability', () => {
  it('honours minReadySeconds', () => {
    assert.equal(isPodAvailable(pod('a', { readySince: 5 }), 10, now), false);
    assert.equal(isPodAvailable(pod('a', { readySince: 15 }), 10, now), true);
    assert.equal(isPodAvailable(pod('a', { ready: false }), 0, now), false);
  });
});

describe('podFromTemplate', () => {
  it('copies labels and spec, sets generateName and a controllerRef', () => {
    const owner = { metadata: { name: 'web', namespace: 'ns', uid: 'u1' } };
    const p = podFromTemplate({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, owner, { apiVersion: 'apps/v1', kind: 'ReplicaSet' }, 'web-');
    assert.equal(p.metadata?.generateName, 'web-');
    assert.equal(p.metadata?.namespace, 'ns');
    assert.deepEqual(p.metadata?.labels, { app: 'web' });
    assert.deepEqual(p.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
    assert.equal(p.spec?.containers[0]?.image, 'i');
  });
});

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4, ... and stops after a failing batch', async () => {
    let calls = 0;
    const all = await slowStartBatch(10, 1, async () => void calls++);
    assert.deepEqual([all.ok, calls], [10, 10]);
    calls = 0;
    const res = await slowStartBatch(10, 1, async () => {
      if (++calls >= 3) throw new Error('quota');
    });
    // batches: 1 (ok), 2 (second fails) → stop; 4 and 3 never run
    assert.equal(calls, 3);
    assert.equal(res.ok, 2);
    assert.match(String(res.err), /quota/);
  });
});

describe('claiming through the controllerUID-or-orphan index', () => {
  const rsGVK = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
  const owner = { metadata: { name: 'web', namespace: 'ns', uid: 'rs1' } };
  const ref = (uid: string, name = uid) => [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid, controller: true }];
  const p = (name: string, ns: string, labels: Record<string, string>, owners?: ReturnType<typeof ref>): PodObject =>
    ({ metadata: { name, namespace: ns, uid: `u-${name}`, labels, ...(owners ? { ownerReferences: owners } : {}) }, spec: { containers: [] } }) as PodObject;
  const store = () => {
    const s = new Indexer<PodObject>();
    s.addIndex(controllerUIDOrOrphanIndex, byControllerUIDOrOrphan);
    for (const pod of [
      p('mine', 'ns', { app: 'web' }, ref('rs1', 'web')),
      p('mine-relabelled', 'ns', { app: 'other' }, ref('rs1', 'web')),
      p('theirs', 'ns', { app: 'web' }, ref('rs2')),
      p('orphan', 'ns', { app: 'web' }),
      p('orphan-elsewhere', 'other', { app: 'web' }),
    ])
      s.set(pod);
    return s;
  };

  it('lists only owned pods and orphans of the owner namespace', () => {
    const names = claimCandidates(store(), owner).map((o) => o.metadata?.name).sort();
    assert.deepEqual(names, ['mine', 'mine-relabelled', 'orphan']);
  });

  it('an adopted orphan leaves the orphan key and joins its owner', () => {
    const s = store();
    s.set(p('orphan', 'ns', { app: 'web' }, ref('rs1', 'web')));
    assert.deepEqual(s.byIndex(controllerUIDOrOrphanIndex, 'rs1').map((o) => o.metadata?.name).sort(), ['mine', 'mine-relabelled', 'orphan']);
    assert.deepEqual(claimCandidates(s, { metadata: { name: 'x', namespace: 'ns', uid: 'rs9' } }), []);
  });

  it('keeps matching owned pods, releases the relabelled one and adopts the orphan', async () => {
    const patched: { name: string; body: unknown }[] = [];
    const client = {
      patch: async (name: string, _type: string, body: unknown) => {
        patched.push({ name, body });
        return p(name, 'ns', { app: 'web' }, ref('rs1', 'web'));
      },
    } as unknown as ResourceClient<PodObject>;
    let rechecks = 0;
    const claimed = await claimObjects(client, owner, rsGVK, selectorFromSet({ app: 'web' }), claimCandidates(store(), owner), async () => {
      rechecks++;
      return owner;
    });
    assert.deepEqual(claimed.map((o) => o.metadata?.name).sort(), ['mine', 'orphan']);
    assert.deepEqual(patched.map((x) => x.name).sort(), ['mine-relabelled', 'orphan']);
    assert.equal(rechecks, 1);
  });

  it('adopts nothing when the owner is gone on re-read', async () => {
    const client = { patch: async () => assert.fail('no patch expected for adoption') } as unknown as ResourceClient<PodObject>;
    const candidates = claimCandidates(store(), owner).filter((o) => o.metadata?.name !== 'mine-relabelled');
    const claimed = await claimObjects(client, owner, rsGVK, selectorFromSet({ app: 'web' }), candidates, async () => undefined);
    assert.deepEqual(claimed.map((o) => o.metadata?.name), ['mine']);
  });
});
