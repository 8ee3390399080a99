import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Revision } from '../framework/history.ts';
import { claimsFor, newStatefulSetPod, podIndexLabel, podNameLabel, revisionLabel, type P, type SS } from './identity.ts';
import type { StatefulPodControl } from './pod-control.ts';
import { newRevision } from './revisions.ts';
import { completeRollingUpdate, updateStatefulSet } from './update.ts';

const now = new Date('2026-01-01T00:10:00Z');

function set(o: { replicas?: number; policy?: 'OrderedReady' | 'Parallel'; image?: string; partition?: number; onDelete?: boolean } = {}): SS {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web', generation: 1 },
    spec: {
      replicas: o.replicas ?? 3,
      serviceName: 'nginx',
      podManagementPolicy: o.policy ?? 'OrderedReady',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: o.image ?? 'nginx:1' }] } },
      updateStrategy: o.onDelete ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { partition: o.partition ?? 0 } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

const rev = (s: SS, n: number): Revision => newRevision(s, n, 0);

/** A pod as the cache would hold it: created, at a revision, optionally Running and Ready. */
function pod(s: SS, ordinal: number, revision: string, state: 'ready' | 'pending' | 'failed' | 'terminating' = 'ready'): P {
  const p = newStatefulSetPod(s, ordinal);
  p.metadata!.labels![revisionLabel] = revision;
  if (state === 'terminating') p.metadata = { ...p.metadata, deletionTimestamp: '2026-01-01T00:09:00Z' };
  const phase = state === 'ready' || state === 'terminating' ? 'Running' : state === 'failed' ? 'Failed' : 'Pending';
  return { ...p, status: { phase, conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }] } };
}

class FakeControl implements StatefulPodControl {
  readonly log: string[] = [];
  readonly created: P[] = [];
  async createStatefulPod(_s: SS, p: P) {
    this.log.push(`create ${p.metadata?.name}`);
    this.created.push(p);
  }
  async updateStatefulPod(_s: SS, p: P) {
    this.log.push(`update ${p.metadata?.name}`);
  }
  async deleteStatefulPod(_s: SS, p: P) {
    this.log.push(`delete ${p.metadata?.name}`);
  }
  async createMissingClaims() {}
  async prepareClaimsForScaleDown() {}
  event() {}
}

async function run(s: SS, pods: P[], current = rev(s, 1), update = current) {
  const c = new FakeControl();
  const status = await updateStatefulSet(s, current, update, 0, pods, c, now);
  return { log: c.log, created: c.created, status };
}

describe('statefulset update algorithm', () => {
  it('OrderedReady creates one pod at a time, each after its predecessor is ready', async () => {
    const s = set();
    const r = rev(s, 1).metadata!.name!;
    assert.deepEqual((await run(s, [])).log, ['create web-0']);
    assert.deepEqual((await run(s, [pod(s, 0, r, 'pending')])).log, []);
    assert.deepEqual((await run(s, [pod(s, 0, r)])).log, ['create web-1']);
    assert.deepEqual((await run(s, [pod(s, 0, r), pod(s, 1, r)])).log, ['create web-2']);
    const all = await run(s, [pod(s, 0, r), pod(s, 1, r), pod(s, 2, r)]);
    assert.deepEqual(all.log, []);
    assert.equal(all.status.replicas, 3);
    assert.equal(all.status.readyReplicas, 3);
    assert.equal(all.status.updatedReplicas, 3);
  });

  it('Parallel creates every missing pod at once', async () => {
    const { log } = await run(set({ policy: 'Parallel' }), []);
    assert.deepEqual(log.sort(), ['create web-0', 'create web-1', 'create web-2']);
  });

  it('gives new pods their identity, revision and claim volumes', async () => {
    const s = set();
    const { created } = await run(s, []);
    const p = created[0]!;
    assert.equal(p.metadata?.name, 'web-0');
    assert.equal(p.spec?.hostname, 'web-0');
    assert.equal(p.spec?.subdomain, 'nginx');
    assert.equal(p.metadata?.labels?.[podNameLabel], 'web-0');
    assert.equal(p.metadata?.labels?.[podIndexLabel], '0');
    assert.equal(p.metadata?.labels?.[revisionLabel], rev(s, 1).metadata?.name);
    assert.deepEqual(p.spec?.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }]);
    assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'StatefulSet');
    const claim = claimsFor(s, 2).get('www')!;
    assert.equal(claim.metadata?.name, 'www-web-2');
    assert.deepEqual(claim.metadata?.labels, { app: 'web' });
  });

  it('scales down from the highest ordinal, one at a time', async () => {
    const s = set({ replicas: 1 });
    const r = rev(s, 1).metadata!.name!;
    const three = [pod(s, 0, r), pod(s, 1, r), pod(s, 2, r)];
    assert.deepEqual((await run(s, three)).log, ['delete web-2']);
    assert.deepEqual((await run(s, [pod(s, 0, r), pod(s, 1, r), pod(s, 2, r, 'terminating')])).log, [], 'waits for web-2 to go');
    assert.deepEqual((await run(s, [pod(s, 0, r), pod(s, 1, r)])).log, ['delete web-1']);
    assert.deepEqual((await run(set({ replicas: 1, policy: 'Parallel' }), three)).log.sort(), ['delete web-1', 'delete web-2']);
  });

  it('recreates a failed pod', async () => {
    const s = set({ replicas: 1 });
    const r = rev(s, 1).metadata!.name!;
    assert.deepEqual((await run(s, [pod(s, 0, r, 'failed')])).log, ['delete web-0', 'create web-0']);
  });

  it('rolls out from the highest ordinal, one pod at a time, down to the partition', async () => {
    const v1 = set();
    const v2 = set({ image: 'nginx:2' });
    const r1 = rev(v1, 1);
    const r2 = rev(v2, 2);
    const n1 = r1.metadata!.name!;
    const n2 = r2.metadata!.name!;
    assert.notEqual(n1, n2);
    const start = await run(v2, [pod(v1, 0, n1), pod(v1, 1, n1), pod(v1, 2, n1)], r1, r2);
    assert.deepEqual(start.log, ['delete web-2']);
    assert.equal(start.status.currentRevision, n1);
    assert.equal(start.status.updateRevision, n2);
    // The replacement is created at the update revision…
    const recreate = await run(v2, [pod(v1, 0, n1), pod(v1, 1, n1)], r1, r2);
    assert.deepEqual(recreate.log, ['create web-2']);
    assert.equal(recreate.created[0]?.metadata?.labels?.[revisionLabel], n2);
    assert.equal(recreate.created[0]?.spec?.containers[0]?.image, 'nginx:2');
    // …and the next pod waits for it to be healthy.
    assert.deepEqual((await run(v2, [pod(v1, 0, n1), pod(v1, 1, n1), pod(v2, 2, n2, 'pending')], r1, r2)).log, []);
    assert.deepEqual((await run(v2, [pod(v1, 0, n1), pod(v1, 1, n1), pod(v2, 2, n2)], r1, r2)).log, ['delete web-1']);

    const part = set({ image: 'nginx:2', partition: 2 });
    const rp = rev(part, 2);
    const parted = await run(part, [pod(v1, 0, n1), pod(v1, 1, n1), pod(part, 2, rp.metadata!.name!)], r1, rp);
    assert.deepEqual(parted.log, [], 'ordinals below the partition keep the current revision');
    // A pod below the partition that is recreated comes back at the current revision.
    const below = await run(part, [pod(v1, 0, n1), pod(part, 2, rp.metadata!.name!)], r1, rp);
    assert.equal(below.created[0]?.metadata?.labels?.[revisionLabel], n1);
    assert.equal(below.created[0]?.spec?.containers[0]?.image, 'nginx:1');
  });

  it('OnDelete leaves old pods alone', async () => {
    const v1 = set();
    const v2 = set({ image: 'nginx:2', onDelete: true });
    const r1 = rev(v1, 1);
    const n1 = r1.metadata!.name!;
    assert.deepEqual((await run(v2, [pod(v1, 0, n1), pod(v1, 1, n1), pod(v1, 2, n1)], r1, rev(v2, 2))).log, []);
  });

  it('completes a rolling update once every pod is updated and ready', async () => {
    const v2 = set({ image: 'nginx:2' });
    const r2 = rev(v2, 2);
    const n2 = r2.metadata!.name!;
    const { status } = await run(v2, [pod(v2, 0, n2), pod(v2, 1, n2), pod(v2, 2, n2)], rev(set(), 1), r2);
    assert.notEqual(status.currentRevision, n2);
    completeRollingUpdate(v2, status);
    assert.equal(status.currentRevision, n2);
    assert.equal(status.currentReplicas, 3);
  });
});
