import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { refs } from '../../client/refs.ts';
import { Client } from '../../client/rest.ts';
import { runFakeKubelet } from '../../../test/support/fake-kubelet.ts';
import { eventually, haveKubectl } from '../../../test/support/kubectl.ts';
import { startCluster, type TestCluster } from '../../../test/support/server.ts';
import { retentionOwnerRefs } from './claim-retention.ts';

const set = (replicas: number, whenDeleted?: string, whenScaled?: string) =>
  ({
    metadata: { name: 'db', namespace: 'ns', uid: 'set-uid' },
    spec: { replicas, persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } },
  }) as any;
const pod = (ordinal: number) => ({ metadata: { name: `db-${ordinal}`, uid: `pod-${ordinal}` } }) as any;
const claim = (...owners: string[]) =>
  ({ metadata: { name: 'data-db-1', ownerReferences: owners.map((uid) => ({ apiVersion: 'x', kind: 'X', name: uid, uid })) } }) as any;
const uids = (r: { uid: string }[] | undefined) => r?.map((x) => x.uid);

test('claim owner references follow the retention policy (updateClaimOwnerRefs)', () => {
  assert.equal(retentionOwnerRefs(set(2), claim(), pod(1)), undefined);
  assert.deepEqual(uids(retentionOwnerRefs(set(2, 'Delete'), claim(), pod(1))), ['set-uid']);
  assert.deepEqual(uids(retentionOwnerRefs(set(2, 'Retain', 'Retain'), claim('other', 'set-uid', 'pod-1'), pod(1))), ['other']);
  // Scaled down under whenScaled=Delete: the pod owns the claim, the set no longer does.
  assert.deepEqual(uids(retentionOwnerRefs(set(1, 'Delete', 'Delete'), claim('set-uid'), pod(1))), ['pod-1']);
  assert.deepEqual(uids(retentionOwnerRefs(set(1, 'Retain', 'Delete'), claim(), pod(1))), ['pod-1']);
  // Back in range (scaled up again): the pod reference goes.
  assert.deepEqual(uids(retentionOwnerRefs(set(2, 'Retain', 'Delete'), claim('pod-1'), pod(1))), []);
  assert.equal(retentionOwnerRefs(set(2, 'Delete', 'Delete'), claim('set-uid'), pod(1)), undefined);
});

const manifest = (replicas: number, whenDeleted: string, whenScaled: string) => `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  serviceName: db
  replicas: ${replicas}
  podManagementPolicy: Parallel
  persistentVolumeClaimRetentionPolicy: {whenDeleted: ${whenDeleted}, whenScaled: ${whenScaled}}
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - {name: db, image: postgres:16}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`;

describe('claim retention against a real server', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  let client: Client;
  const stop = new AbortController();
  let kubelet: Promise<void>;
  before(async () => {
    c = await startCluster({ datastore: 'memory' });
    client = new Client(c.server.transportFor({ username: 'test-admin', groups: ['system:masters', 'system:authenticated'] }));
    kubelet = runFakeKubelet(client, stop.signal, { labelSelector: 'app=db' });
  });
  after(async () => {
    stop.abort();
    await kubelet;
    await c?.stop();
  });

  const claims = async () =>
    (await client.resource<PersistentVolumeClaim & { [k: string]: unknown }>(refs.persistentvolumeclaims).list({ namespace: 'default' })).items;
  const ownerKinds = async (name: string) => (await claims()).find((x) => x.metadata?.name === name)?.metadata?.ownerReferences?.map((r) => r.kind) ?? [];

  it('updates claim owners when the policy changes, deletes on scale-down and with the set', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: manifest(2, 'Retain', 'Retain') });
    await c.kubectl.ok(['rollout', 'status', 'sts/db', '--timeout=30s']);
    assert.deepEqual((await claims()).map((x) => x.metadata?.name).sort(), ['data-db-0', 'data-db-1']);
    assert.deepEqual(await ownerKinds('data-db-0'), []);

    // The policy changes later: existing claims gain the set as owner …
    await c.kubectl.ok(['apply', '-f', '-'], { input: manifest(2, 'Delete', 'Delete') });
    await eventually(async () => (await ownerKinds('data-db-0')).includes('StatefulSet') && (await ownerKinds('data-db-1')).includes('StatefulSet'), 10_000, 'set owns the claims');
    // … and lose it again when it goes back.
    await c.kubectl.ok(['apply', '-f', '-'], { input: manifest(2, 'Retain', 'Delete') });
    await eventually(async () => (await ownerKinds('data-db-0')).length === 0, 10_000, 'set reference removed');

    // whenScaled=Delete: the condemned ordinal's claim goes with its pod.
    await c.kubectl.ok(['scale', 'sts/db', '--replicas=1']);
    await eventually(async () => {
      const names = (await claims()).map((x) => x.metadata?.name);
      return names.length === 1 && names[0] === 'data-db-0';
    }, 15_000, 'data-db-1 deleted on scale down');

    // whenDeleted=Delete: the remaining claim goes with the set.
    await c.kubectl.ok(['apply', '-f', '-'], { input: manifest(1, 'Delete', 'Delete') });
    await eventually(async () => (await ownerKinds('data-db-0')).includes('StatefulSet'), 10_000, 'set owns data-db-0');
    await c.kubectl.ok(['delete', 'sts/db']);
    await eventually(async () => (await claims()).length === 0, 15_000, 'claims deleted with the set');
  });
});
