/**
 * Acceptance: a StatefulSet (OrderedReady) creates web-0, web-1, web-2 strictly in order, each
 * after its predecessor is Ready (runFakeKubelet plays the nodes), with stable hostnames and
 * one PVC per ordinal created before its pod; scale-down removes the highest ordinal first
 * and keeps the claims; a template change rolls out highest ordinal first, watched by
 * `kubectl rollout status`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.ts';
import { refs } from '../../src/client/refs.ts';
import { Client } from '../../src/client/rest.ts';
import { runFakeKubelet } from '../support/fake-kubelet.ts';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

type P = Pod & KubeObject;

const manifest = (replicas: number, image: string) => `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: default}
spec:
  serviceName: nginx
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: ${image}
  volumeClaimTemplates:
  - metadata: {name: www}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`;

describe('statefulsets', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  let client: Client;
  const stop = new AbortController();
  let kubelet: Promise<void>;
  /** Pod lifecycle as a watch saw it: "ADDED web-0", "DELETED web-2", … */
  const seen: string[] = [];
  let watching: Promise<void>;

  before(async () => {
    c = await startCluster({ datastore: 'memory' });
    client = new Client(c.server.transportFor({ username: 'test-admin', groups: ['system:masters', 'system:authenticated'] }));
    kubelet = runFakeKubelet(client, stop.signal, { labelSelector: 'app=web' });
    const pods = client.resource<P>(refs.pods);
    const list = await pods.list({ namespace: 'default' });
    watching = (async () => {
      try {
        const ready = new Set<string>();
        for await (const ev of pods.watch({ namespace: 'default', labelSelector: 'app=web', resourceVersion: list.metadata.resourceVersion, signal: stop.signal })) {
          const name = ev.object.metadata?.name ?? '';
          if (ev.type === 'ADDED' || ev.type === 'DELETED') seen.push(`${ev.type} ${name}`);
          if (ev.type === 'DELETED') ready.delete(name);
          if (ev.type === 'MODIFIED' && !ready.has(name) && ev.object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) {
            ready.add(name);
            seen.push(`READY ${name}`);
          }
        }
      } catch {
        // aborted
      }
    })();
  });
  after(async () => {
    stop.abort();
    await Promise.all([kubelet, watching]);
    await c?.stop();
  });

  const podNames = async () => (await client.resource<P>(refs.pods).list({ namespace: 'default', labelSelector: 'app=web' })).items.map((p) => p.metadata!.name!).sort();

  it('creates pods strictly in order, each with its claim, stable identity and labels', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: manifest(3, 'nginx:1.25') });
    const out = await c.kubectl.ok(['rollout', 'status', 'sts/web', '--timeout=30s']);
    // The server defaults rollingUpdate.partition to 0, so kubectl reports a partitioned rollout.
    assert.match(out, /partitioned roll out complete: 3 new pods have been updated/);
    // Each pod is created only after its predecessor is Ready.
    assert.deepEqual(seen.slice(0, 6), ['ADDED web-0', 'READY web-0', 'ADDED web-1', 'READY web-1', 'ADDED web-2', 'READY web-2']);

    const pod = JSON.parse(await c.kubectl.ok(['get', 'pod', 'web-1', '-o', 'json'])) as P;
    assert.equal(pod.spec?.hostname, 'web-1');
    assert.equal(pod.spec?.subdomain, 'nginx');
    assert.equal(pod.metadata?.labels?.['statefulset.kubernetes.io/pod-name'], 'web-1');
    assert.equal(pod.metadata?.labels?.['apps.kubernetes.io/pod-index'], '1');
    assert.match(pod.metadata?.labels?.['controller-revision-hash'] ?? '', /^web-[a-z0-9]+$/);
    assert.deepEqual(pod.spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim, { claimName: 'www-web-1' });

    const pvcs = await c.kubectl.ok(['get', 'pvc', '-o', 'jsonpath={.items[*].metadata.name}']);
    assert.deepEqual(pvcs.split(' ').sort(), ['www-web-0', 'www-web-1', 'www-web-2']);
    const claim = JSON.parse(await c.kubectl.ok(['get', 'pvc', 'www-web-0', '-o', 'json'])) as PersistentVolumeClaim;
    assert.equal(claim.metadata?.labels?.app, 'web');

    const sts = JSON.parse(await c.kubectl.ok(['get', 'sts', 'web', '-o', 'json']));
    assert.equal(sts.status.replicas, 3);
    assert.equal(sts.status.readyReplicas, 3);
    assert.equal(sts.status.currentReplicas, 3);
    assert.equal(sts.status.updatedReplicas, 3);
    assert.equal(sts.status.availableReplicas, 3);
    assert.equal(sts.status.currentRevision, sts.status.updateRevision);
    assert.equal(sts.status.observedGeneration, sts.metadata.generation);
    assert.equal(sts.status.collisionCount, 0);
    assert.match(await c.kubectl.ok(['get', 'sts', 'web']), /web\s+3\/3/);

    const events = await c.kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=web', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, /SuccessfulCreate: create Pod web-0 in StatefulSet web successful/);
    assert.match(events, /SuccessfulCreate: create Claim www-web-0 Pod web-0 in StatefulSet web success/);
  });

  it('scales down from the highest ordinal, one at a time, keeping the claims', async () => {
    const mark = seen.length;
    await c.kubectl.ok(['scale', 'sts/web', '--replicas=1']);
    await eventually(async () => (await podNames()).join() === 'web-0', 20_000, 'only web-0 to remain');
    // The list can run ahead of the watch that records the order: wait for both deletions.
    const deletions = () => seen.slice(mark).filter((e) => e.startsWith('DELETED'));
    await eventually(() => deletions().length >= 2, 10_000, 'both deletions seen by the watch');
    assert.deepEqual(seen.slice(mark).filter((e) => !e.startsWith('READY')), ['DELETED web-2', 'DELETED web-1']);
    const pvcs = await c.kubectl.ok(['get', 'pvc', '-o', 'jsonpath={.items[*].metadata.name}']);
    assert.deepEqual(pvcs.split(' ').sort(), ['www-web-0', 'www-web-1', 'www-web-2'], 'claims outlive their pods');
    // Scaling up again reuses the claims (and creates in order again).
    const mark2 = seen.length;
    await c.kubectl.ok(['scale', 'sts/web', '--replicas=3']);
    await c.kubectl.ok(['rollout', 'status', 'sts/web', '--timeout=30s']);
    assert.deepEqual(seen.slice(mark2), ['ADDED web-1', 'READY web-1', 'ADDED web-2', 'READY web-2']);
  });

  it('rolls out a new template from the highest ordinal down', async () => {
    const mark = seen.length;
    await c.kubectl.ok(['set', 'image', 'sts/web', 'nginx=nginx:1.27']);
    const out = await c.kubectl.ok(['rollout', 'status', 'sts/web', '--timeout=30s']);
    assert.match(out, /partitioned roll out complete: 3 new pods have been updated/);
    // One pod at a time: each replacement is Ready before the next pod goes.
    assert.deepEqual(seen.slice(mark), ['DELETED web-2', 'ADDED web-2', 'READY web-2', 'DELETED web-1', 'ADDED web-1', 'READY web-1', 'DELETED web-0', 'ADDED web-0', 'READY web-0']);
    const images = await c.kubectl.ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}']);
    assert.deepEqual(images.split(' '), ['nginx:1.27', 'nginx:1.27', 'nginx:1.27']);
    const sts = JSON.parse(await c.kubectl.ok(['get', 'sts', 'web', '-o', 'json']));
    assert.equal(sts.status.currentRevision, sts.status.updateRevision);
    const crs = await c.kubectl.ok(['get', 'controllerrevisions', '-o', 'jsonpath={.items[*].revision}']);
    assert.deepEqual(crs.split(' ').sort(), ['1', '2']);
    assert.match(await c.kubectl.ok(['rollout', 'history', 'sts/web']), /REVISION\s+CHANGE-CAUSE\s+1\s+\S+\s+2\s+/);
  });

  it('holds a partitioned rollout at the partition', async () => {
    await c.kubectl.ok(['patch', 'sts', 'web', '--type', 'merge', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}']);
    await c.kubectl.ok(['set', 'image', 'sts/web', 'nginx=nginx:1.28']);
    const out = await c.kubectl.ok(['rollout', 'status', 'sts/web', '--timeout=30s']);
    assert.match(out, /partitioned roll out complete: 1 new pods have been updated/);
    const image = async (n: string) => c.kubectl.ok(['get', 'pod', n, '-o', 'jsonpath={.spec.containers[0].image}']);
    await eventually(async () => (await image('web-2')) === 'nginx:1.28', 10_000, 'web-2 updated');
    assert.equal(await image('web-1'), 'nginx:1.27');
    assert.equal(await image('web-0'), 'nginx:1.27');
  });

  it('re-adopts its pods after an orphaning delete', async () => {
    const uids = async () => JSON.parse(await c.kubectl.ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items.map((p: P) => `${p.metadata?.name}=${p.metadata?.uid}`).sort();
    const before = await uids();
    await c.kubectl.ok(['delete', 'sts', 'web', '--cascade=orphan']);
    await eventually(async () => (await c.kubectl(['get', 'sts', 'web'])).stderr.includes('NotFound'), 15_000, 'the set to go');
    // web-0 and web-1 run nginx:1.27 (below the old partition): that template adopts them as they are.
    await c.kubectl.ok(['apply', '-f', '-'], { input: manifest(3, 'nginx:1.27') });
    const sts = JSON.parse(await c.kubectl.ok(['get', 'sts', 'web', '-o', 'json']));
    await eventually(async () => {
      const pods = JSON.parse(await c.kubectl.ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items as P[];
      return pods.length === 3 && pods.every((p) => p.metadata?.ownerReferences?.some((o) => o.uid === sts.metadata.uid && o.controller));
    }, 15_000, 'the new set to adopt the pods');
    assert.deepEqual((await uids()).slice(0, 2), before.slice(0, 2), 'web-0 and web-1 were adopted, not recreated');
  });
});
