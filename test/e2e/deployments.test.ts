/**
 * Acceptance: Deployments, ReplicaSets and ReplicationControllers driven by the real kubectl
 * against a real server. No nodes run: the fake kubelet marks every pod Running and Ready,
 * and unscheduled pods are deleted at once, so rollouts finish in well under a second each.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../src/client/rest.ts';
import { runFakeKubelet } from '../support/fake-kubelet.ts';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const admin = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };

function deployment(name: string, image: string, opts: { replicas?: number; strategy?: string } = {}): string {
  const strategy =
    opts.strategy === 'Recreate'
      ? '  strategy: {type: Recreate}'
      : '  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}';
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: default
spec:
  replicas: ${opts.replicas ?? 4}
${strategy}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - {name: app, image: ${image}}
`;
}

interface Obj {
  metadata: { name: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { uid: string }[] };
  spec: { replicas?: number; template: { spec: { containers: { image: string }[] } } };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number; conditions?: { type: string; status: string; reason: string }[] };
}

describe('deployments', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  const stop = new AbortController();
  before(async () => {
    c = await startCluster({ datastore: 'memory' });
    // Pods labelled stuck=yes are left Pending, for the progress-deadline test.
    void runFakeKubelet(new Client(c.server.transportFor(admin)), stop.signal, { labelSelector: 'stuck!=yes' });
  });
  after(async () => {
    stop.abort();
    await c?.stop();
  });

  const getJSON = async <T = Obj>(args: string[]): Promise<T> => JSON.parse(await c.kubectl.ok(['get', ...args, '-o', 'json'])) as T;
  const rsOf = async (name: string) =>
    (await getJSON<{ items: Obj[] }>(['rs', '-l', `app=${name}`])).items.sort((a, b) => Number(a.metadata.annotations?.['deployment.kubernetes.io/revision']) - Number(b.metadata.annotations?.['deployment.kubernetes.io/revision']));
  const livePods = async (selector: string) =>
    (await getJSON<{ items: (Obj & { metadata: { deletionTimestamp?: string } })[] }>(['pods', '-l', selector])).items.filter((p) => !p.metadata.deletionTimestamp);
  const imageOf = (o: Obj) => o.spec.template.spec.containers[0]!.image;
  const status = (name: string) => c.kubectl.ok(['rollout', 'status', `deployment/${name}`, '--timeout=30s'], { timeoutMs: 40_000 });

  it('rolls out, updates, keeps history, rolls back and scales', async () => {
    const k = c.kubectl;
    await k.ok(['apply', '-f', '-'], { input: deployment('web', 'nginx:1.25') });
    assert.match(await status('web'), /deployment "web" successfully rolled out/);
    let d = await getJSON(['deployment', 'web']);
    assert.equal(d.status?.availableReplicas, 4);
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.deepEqual(
      d.status?.conditions?.map((x) => [x.type, x.status, x.reason]).sort(),
      [
        ['Available', 'True', 'MinimumReplicasAvailable'],
        ['Progressing', 'True', 'NewReplicaSetAvailable'],
      ],
    );
    const [first] = await rsOf('web');
    const hash = first!.metadata.labels?.['pod-template-hash'];
    assert.ok(hash && first!.metadata.name === `web-${hash}`, 'ReplicaSet is named <deploy>-<pod-template-hash>');
    assert.equal(first!.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '4');
    assert.equal(first!.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '5');
    const pods = await livePods('app=web');
    assert.equal(pods.length, 4);
    for (const p of pods) {
      assert.match(p.metadata.name, new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
      assert.equal(p.metadata.ownerReferences?.[0]?.uid, first!.metadata.uid);
    }

    await k.ok(['set', 'image', 'deployment/web', 'app=nginx:1.26']);
    assert.match(await status('web'), /successfully rolled out/);
    const sets = await rsOf('web');
    assert.equal(sets.length, 2);
    assert.equal(sets[0]!.spec.replicas, 0);
    assert.equal(sets[1]!.spec.replicas, 4);
    assert.equal(imageOf(sets[1]!), 'nginx:1.26');
    assert.equal((await livePods('app=web')).length, 4);
    const history = await k.ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);
    const events = await k.ok(['get', 'events', '--field-selector', 'involvedObject.name=web', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, new RegExp(`ScalingReplicaSet: Scaled up replica set ${sets[1]!.metadata.name} from 0 to \\d`));
    assert.match(events, new RegExp(`ScalingReplicaSet: Scaled down replica set ${sets[0]!.metadata.name} from \\d to \\d`));

    await k.ok(['rollout', 'undo', 'deployment/web']);
    assert.match(await status('web'), /successfully rolled out/);
    d = await getJSON(['deployment', 'web']);
    assert.equal(imageOf(d), 'nginx:1.25');
    const after = await rsOf('web');
    assert.equal(after.length, 2, 'undo reuses the first ReplicaSet');
    const reused = after.find((rs) => rs.metadata.uid === first!.metadata.uid)!;
    assert.equal(reused.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(reused.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(reused.spec.replicas, 4);
    for (const p of await livePods('app=web')) assert.equal(p.metadata.labels?.['pod-template-hash'], hash);

    await k.ok(['scale', 'deployment/web', '--replicas=8']);
    assert.match(await status('web'), /successfully rolled out/);
    await eventually(async () => (await livePods('app=web')).length === 8, 15_000, '8 pods');
    assert.equal((await getJSON(['rs', reused.metadata.name])).spec.replicas, 8);

    // A deleted pod is replaced.
    const victim = (await livePods('app=web'))[0]!.metadata.name;
    await k.ok(['delete', 'pod', victim]);
    await eventually(async () => {
      const now = await livePods('app=web');
      return now.length === 8 && !now.some((p) => p.metadata.name === victim);
    }, 15_000, 'the deleted pod to be replaced');
  });

  it('pause, resume and restart', async () => {
    const k = c.kubectl;
    await k.ok(['apply', '-f', '-'], { input: deployment('paused', 'nginx:1.25', { replicas: 2 }) });
    await status('paused');
    await k.ok(['rollout', 'pause', 'deployment/paused']);
    await eventually(async () => (await getJSON(['deployment', 'paused'])).status?.conditions?.some((x) => x.reason === 'DeploymentPaused'), 10_000, 'DeploymentPaused');
    await k.ok(['set', 'image', 'deployment/paused', 'app=nginx:1.26']);
    // Paused: no new ReplicaSet appears (check after the controller observed the change).
    await eventually(async () => {
      const d = await getJSON<Obj & { metadata: { generation: number }; status: { observedGeneration: number } }>(['deployment', 'paused']);
      return d.status.observedGeneration === d.metadata.generation;
    }, 10_000, 'paused change observed');
    assert.equal((await rsOf('paused')).length, 1);
    await k.ok(['rollout', 'resume', 'deployment/paused']);
    assert.match(await status('paused'), /successfully rolled out/);
    assert.equal((await rsOf('paused')).length, 2);
    await k.ok(['rollout', 'restart', 'deployment/paused']);
    assert.match(await status('paused'), /successfully rolled out/);
    assert.equal((await rsOf('paused')).length, 3);
  });

  it('Recreate scales the old ReplicaSet to zero before the new one comes up', async () => {
    const k = c.kubectl;
    await k.ok(['apply', '-f', '-'], { input: deployment('recreate', 'nginx:1.25', { replicas: 3, strategy: 'Recreate' }) });
    await status('recreate');
    await k.ok(['set', 'image', 'deployment/recreate', 'app=nginx:1.26']);
    assert.match(await status('recreate'), /successfully rolled out/);
    const sets = await rsOf('recreate');
    assert.deepEqual(sets.map((rs) => rs.spec.replicas), [0, 3]);
    const pods = await livePods('app=recreate');
    assert.equal(pods.length, 3);
    const podImage = (p: unknown) => (p as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image;
    for (const p of pods) assert.equal(podImage(p), 'nginx:1.26');
  });

  it('a ReplicaSet on its own keeps its count, adopts and releases pods', async () => {
    const k = c.kubectl;
    await k.ok(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: solo, namespace: default}
spec:
  replicas: 3
  selector: {matchLabels: {app: solo}}
  template:
    metadata: {labels: {app: solo}}
    spec:
      containers: [{name: app, image: busybox}]
`,
    });
    await eventually(async () => (await getJSON(['rs', 'solo'])).status?.readyReplicas === 3, 15_000, 'solo to be ready');
    const uid = (await getJSON(['rs', 'solo'])).metadata.uid;
    const pods = await livePods('app=solo');
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.metadata.ownerReferences?.[0]?.uid === uid));
    // Relabelled out of the selector: released, and a replacement is created.
    const released = pods[0]!.metadata.name;
    await k.ok(['label', 'pod', released, 'app=gone', '--overwrite']);
    await eventually(async () => (await livePods('app=solo')).length === 3, 15_000, 'a replacement pod');
    await eventually(async () => !(await getJSON(['pod', released])).metadata.ownerReferences?.length, 15_000, 'the relabelled pod to be released');
    // Relabelled back: adopted, and one surplus pod is deleted.
    await k.ok(['label', 'pod', released, 'app=solo', '--overwrite']);
    await eventually(async () => (await livePods('app=solo')).length === 3, 15_000, 'surplus pod to be deleted');
    await k.ok(['scale', 'rs/solo', '--replicas=1']);
    await eventually(async () => (await livePods('app=solo')).length === 1 && (await getJSON(['rs', 'solo'])).status?.replicas === 1, 15_000, 'scale down to 1');
    const events = await k.ok(['get', 'events', '--field-selector', 'involvedObject.name=solo', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, /SuccessfulCreate: Created pod: solo-[a-z0-9]{5}/);
    assert.match(events, /SuccessfulDelete: Deleted pod: solo-[a-z0-9]{5}/);
  });

  it('a ReplicationController keeps its count', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: ReplicationController
metadata: {name: legacy, namespace: default}
spec:
  replicas: 2
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      containers: [{name: app, image: busybox}]
`,
    });
    await eventually(async () => (await getJSON(['rc', 'legacy'])).status?.readyReplicas === 2, 15_000, 'legacy to be ready');
    assert.equal((await livePods('app=legacy')).length, 2);
  });

  it('a rollout that makes no progress exceeds its deadline', async () => {
    const k = c.kubectl;
    await k.ok(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck, namespace: default}
spec:
  replicas: 2
  progressDeadlineSeconds: 2
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck, stuck: "yes"}}
    spec:
      containers: [{name: app, image: busybox}]
`,
    });
    const res = await k(['rollout', 'status', 'deployment/stuck', '--timeout=20s'], { timeoutMs: 30_000 });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /deployment "stuck" exceeded its progress deadline/);
    // Progress seen after the deadline (a ReplicaSet status that arrives late on a busy machine)
    // sets Progressing back to ReplicaSetUpdated, as upstream does; with the pods held Pending the
    // rollout then times out again and stays there.
    const progressing = async () => (await getJSON(['deployment', 'stuck'])).status?.conditions?.find((x) => x.type === 'Progressing');
    const cond = await eventually(async () => {
      const c = await progressing();
      return c?.reason === 'ProgressDeadlineExceeded' ? c : undefined;
    }, 15_000, 'Progressing ProgressDeadlineExceeded');
    assert.deepEqual([cond?.status, cond?.reason], ['False', 'ProgressDeadlineExceeded']);
    const d = await getJSON(['deployment', 'stuck']);
    const avail = d.status?.conditions?.find((x) => x.type === 'Available');
    assert.deepEqual([avail?.status, avail?.reason], ['False', 'MinimumReplicasUnavailable']);
  });
});
