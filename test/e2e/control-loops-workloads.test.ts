/**
 * Acceptance for the control loops on `skiff server --sim-nodes 3 --disable-agent`, driven by
 * the real kubectl: a Deployment rolls out, rolls forward and back and scales; deleted pods are
 * replaced; a DaemonSet covers every node including one that joins later; a StatefulSet starts
 * its pods in order, removes them in reverse and keeps one PVC per pod; a Job completes; a
 * CronJob creates a Job; deleting a Deployment removes its pods.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: loops
spec:
  replicas: 4
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
`;

const daemonset = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: loops
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: busybox:1.36
`;

const statefulset = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: loops
spec:
  serviceName: db
  replicas: 3
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: db
        image: postgres:16
        volumeMounts:
        - {name: data, mountPath: /var/lib/postgresql/data}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 1Gi}
`;

const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: batch
  namespace: loops
spec:
  completions: 3
  parallelism: 2
  template:
    metadata:
      annotations: {sim.skiff.dev/run-seconds: "0.2"}
    spec:
      restartPolicy: Never
      containers:
      - name: work
        image: busybox:1.36
`;

const cronjob = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
  namespace: loops
spec:
  schedule: "*/1 * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations: {sim.skiff.dev/run-seconds: "0.2"}
        spec:
          restartPolicy: OnFailure
          containers:
          - name: tick
            image: busybox:1.36
`;

interface PodLite {
  metadata: { name: string; creationTimestamp: string; labels?: Record<string, string> };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { phase?: string };
}

describe('control loops on three simulated nodes', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  const pods = async (selector: string): Promise<PodLite[]> =>
    (JSON.parse(await c.kubectl.ok(['get', 'pods', '-n', 'loops', '-l', selector, '-o', 'json'])) as { items: PodLite[] }).items;
  const running = async (selector: string, n: number) =>
    eventually(async () => {
      const ps = (await pods(selector)).filter((p) => p.status.phase === 'Running');
      return ps.length === n ? ps : undefined;
    }, 30_000, `${n} running pods for ${selector}`);

  before(async () => {
    c = await startCluster({ datastore: 'memory', simNodes: 3 });
    c.server.simNodes.setOptions({ leaseRenewIntervalMs: 500, nodeStatusUpdateMs: 500, podCidrWaitMs: 500 });
    await c.kubectl.ok(['create', 'namespace', 'loops']);
  });
  after(async () => {
    await c?.stop();
  });

  it('rolls a Deployment out, forward and back, scales it and replaces a deleted pod', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: deployment });
    await c.kubectl.ok(['rollout', 'status', 'deploy/web', '-n', 'loops', '--timeout=60s']);
    assert.equal((await running('app=web', 4)).length, 4);

    await c.kubectl.ok(['set', 'image', 'deploy/web', 'web=nginx:1.27', '-n', 'loops']);
    await c.kubectl.ok(['rollout', 'status', 'deploy/web', '-n', 'loops', '--timeout=60s']);
    const rs = await c.kubectl.ok(['get', 'rs', '-n', 'loops', '-l', 'app=web', '-o', 'name']);
    assert.equal(rs.trim().split('\n').length, 2, `two ReplicaSets: ${rs}`);
    const history = await c.kubectl.ok(['rollout', 'history', 'deploy/web', '-n', 'loops']);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);

    await c.kubectl.ok(['rollout', 'undo', 'deploy/web', '-n', 'loops']);
    await c.kubectl.ok(['rollout', 'status', 'deploy/web', '-n', 'loops', '--timeout=60s']);
    const image = await c.kubectl.ok(['get', 'deploy/web', '-n', 'loops', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
    assert.equal(image, 'nginx:1.25');
    await eventually(async () => (await running('app=web', 4)).every((p) => p.spec.containers[0]!.image === 'nginx:1.25'), 30_000, 'pods back on 1.25');

    await c.kubectl.ok(['scale', 'deploy/web', '--replicas=8', '-n', 'loops']);
    const eight = await running('app=web', 8);
    assert.ok(eight.every((p) => p.spec.nodeName?.startsWith('sim-')), 'every pod is bound to a simulated node');

    const victim = eight[0]!.metadata.name;
    await c.kubectl.ok(['delete', 'pod', victim, '-n', 'loops', '--wait=false']);
    await eventually(async () => {
      const ps = (await pods('app=web')).filter((p) => p.status.phase === 'Running');
      return ps.length === 8 && !ps.some((p) => p.metadata.name === victim);
    }, 30_000, 'a replacement pod');
  });

  it('runs one DaemonSet pod per node, and one on a node that joins', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: daemonset });
    const three = await running('app=agent', 3);
    assert.deepEqual(three.map((p) => p.spec.nodeName).sort(), ['sim-0', 'sim-1', 'sim-2']);
    const added = c.server.simNodes.add();
    const four = await running('app=agent', 4);
    assert.ok(four.some((p) => p.spec.nodeName === added), `a pod on ${added}`);
  });

  it('starts StatefulSet pods in order, removes them in reverse, and keeps their PVCs', async () => {
    const watch = c.kubectl.spawn(['get', 'pods', '-n', 'loops', '-l', 'app=db', '-w', '--output-watch-events', '-o', 'custom-columns=EVENT:.type,NAME:.object.metadata.name', '--no-headers']);
    try {
      await c.kubectl.ok(['apply', '-f', '-'], { input: statefulset });
      await c.kubectl.ok(['rollout', 'status', 'sts/db', '-n', 'loops', '--timeout=60s']);
      const ps = await running('app=db', 3);
      const byCreation = [...ps].sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name));
      assert.deepEqual(byCreation.map((p) => p.metadata.name), ['db-0', 'db-1', 'db-2']);
      const claims = await c.kubectl.ok(['get', 'pvc', '-n', 'loops', '-o', 'name']);
      assert.deepEqual(claims.trim().split('\n').sort(), ['persistentvolumeclaim/data-db-0', 'persistentvolumeclaim/data-db-1', 'persistentvolumeclaim/data-db-2']);

      await c.kubectl.ok(['scale', 'sts/db', '--replicas=0', '-n', 'loops']);
      await eventually(async () => (await pods('app=db')).length === 0, 30_000, 'statefulset pods gone');
      const added = watch.output().split('\n').filter((l) => l.startsWith('ADDED')).map((l) => l.split(/\s+/)[1]);
      const deleted = watch.output().split('\n').filter((l) => l.startsWith('DELETED')).map((l) => l.split(/\s+/)[1]);
      assert.deepEqual(added, ['db-0', 'db-1', 'db-2'], 'created strictly in order');
      assert.deepEqual(deleted, ['db-2', 'db-1', 'db-0'], 'removed in reverse');
      const kept = await c.kubectl.ok(['get', 'pvc', '-n', 'loops', '-o', 'name']);
      assert.equal(kept.trim().split('\n').length, 3, 'PVCs outlive their pods');
    } finally {
      await watch.stop();
    }
  });

  it('runs a Job with three completions to Complete', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: job });
    await c.kubectl.ok(['wait', '--for=condition=complete', 'job/batch', '-n', 'loops', '--timeout=60s']);
    const succeeded = await c.kubectl.ok(['get', 'job/batch', '-n', 'loops', '-o', 'jsonpath={.status.succeeded}']);
    assert.equal(succeeded, '3');
  });

  it('a CronJob every minute creates a Job', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: cronjob });
    const name = await eventually(async () => {
      const out = await c.kubectl.ok(['get', 'jobs', '-n', 'loops', '-o', 'jsonpath={.items[*].metadata.ownerReferences[0].name}']);
      return out.split(' ').includes('tick') ? out : undefined;
    }, 75_000, 'a Job created by the CronJob');
    assert.ok(name);
  });

  it('deleting a Deployment removes its ReplicaSets and pods', async () => {
    await c.kubectl.ok(['delete', 'deploy/web', '-n', 'loops']);
    await eventually(async () => (await pods('app=web')).length === 0, 30_000, 'web pods gone');
    const rs = await c.kubectl.ok(['get', 'rs', '-n', 'loops', '-l', 'app=web', '-o', 'name']);
    assert.equal(rs.trim(), '');
  });
});
