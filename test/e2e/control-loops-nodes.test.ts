/**
 * Acceptance for scheduling and node failure on `skiff server --sim-nodes 3 --disable-agent`,
 * driven by the real kubectl: a pod asking for 1000 CPUs stays Pending with the upstream
 * message; required anti-affinity spreads three replicas over three nodes; cordon and drain
 * move pods off a node; a node that stops heartbeating goes NotReady and its pods are
 * recreated elsewhere; a server restarted mid-rollout finishes the rollout.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const deployment = (name: string, replicas: number, extra = '', image = 'nginx:1.25') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: nodes
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
${extra}      containers:
      - name: app
        image: ${image}
`;

const spread = `      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels: {app: spread}
            topologyKey: kubernetes.io/hostname
`;

// Short eviction, so a pod on a failed node is recreated within the test.
const quickEviction = `      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 1}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 1}
`;

interface PodLite {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

describe('scheduling and node failure on simulated nodes', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  const pods = async (selector: string): Promise<PodLite[]> =>
    (JSON.parse(await c.kubectl.ok(['get', 'pods', '-n', 'nodes', '-l', selector, '-o', 'json'])) as { items: PodLite[] }).items;
  const running = (selector: string, n: number, ok: (ps: PodLite[]) => boolean = () => true) =>
    eventually(async () => {
      const ps = (await pods(selector)).filter((p) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp);
      return ps.length === n && ok(ps) ? ps : undefined;
    }, 30_000, `${n} running pods for ${selector}`);

  before(async () => {
    c = await startCluster({
      datastore: 'sqlite',
      simNodes: 3,
      simOptions: { leaseRenewIntervalMs: 300, nodeStatusUpdateMs: 300, podCidrWaitMs: 500 },
      controllerOptions: { nodeMonitorGracePeriodMs: 2000 },
    });
    await c.kubectl.ok(['create', 'namespace', 'nodes']);
    await eventually(async () => ((await c.kubectl.ok(['get', 'nodes'])).match(/\sReady\s/g) ?? []).length === 3, 10_000, 'three Ready nodes');
  });
  after(async () => {
    await c?.stop();
  });

  it('leaves a pod that needs 1000 CPUs Pending with the upstream message', async () => {
    await c.kubectl.ok(['run', 'huge', '-n', 'nodes', '--image=busybox:1.36', '--overrides', JSON.stringify({ spec: { containers: [{ name: 'huge', image: 'busybox:1.36', resources: { requests: { cpu: '1000' } } }] } })]);
    const cond = await eventually(async () => {
      const p = JSON.parse(await c.kubectl.ok(['get', 'pod', 'huge', '-n', 'nodes', '-o', 'json'])) as PodLite;
      return p.status.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False');
    }, 15_000, 'PodScheduled=False');
    assert.equal(cond.reason, 'Unschedulable');
    assert.match(cond.message ?? '', /^0\/3 nodes are available: 3 Insufficient cpu\./);
    const described = await c.kubectl.ok(['describe', 'pod', 'huge', '-n', 'nodes']);
    assert.match(described, /FailedScheduling/);
    assert.match(described, /0\/3 nodes are available: 3 Insufficient cpu\./);
    await c.kubectl.ok(['delete', 'pod', 'huge', '-n', 'nodes']);
  });

  it('spreads three replicas with required anti-affinity over three nodes', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: deployment('spread', 3, spread) });
    const ps = await running('app=spread', 3);
    assert.equal(new Set(ps.map((p) => p.spec.nodeName)).size, 3, `nodes: ${ps.map((p) => p.spec.nodeName).join(',')}`);
    await c.kubectl.ok(['delete', 'deploy/spread', '-n', 'nodes']);
    await eventually(async () => (await pods('app=spread')).length === 0, 30_000, 'spread pods gone');
  });

  it('cordon and drain move pods off a node', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: deployment('drained', 6) });
    await running('app=drained', 6);
    await c.kubectl.ok(['cordon', 'sim-0']);
    const unsched = await c.kubectl.ok(['get', 'node', 'sim-0', '-o', 'jsonpath={.spec.unschedulable}']);
    assert.equal(unsched, 'true');
    await c.kubectl.ok(['drain', 'sim-0', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s'], { timeoutMs: 90_000 });
    const after = await running('app=drained', 6, (ps) => ps.every((p) => p.spec.nodeName !== 'sim-0'));
    assert.ok(after.every((p) => p.spec.nodeName !== 'sim-0'));
    await c.kubectl.ok(['uncordon', 'sim-0']);
    await c.kubectl.ok(['delete', 'deploy/drained', '-n', 'nodes']);
    await eventually(async () => (await pods('app=drained')).length === 0, 30_000, 'drained pods gone');
  });

  it('a node that stops heartbeating goes NotReady and its pods are recreated elsewhere', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: deployment('survivor', 3, quickEviction) });
    const before = await running('app=survivor', 3);
    const victimNode = before[0]!.spec.nodeName!;
    c.server.simNodes.stop(victimNode);
    await eventually(async () => {
      const out = await c.kubectl.ok(['get', 'node', victimNode]);
      return /NotReady/.test(out) ? out : undefined;
    }, 20_000, `${victimNode} NotReady`);
    const taints = await c.kubectl.ok(['get', 'node', victimNode, '-o', 'jsonpath={.spec.taints[*].key}']);
    assert.match(taints, /node\.kubernetes\.io\/unreachable/);
    const moved = await running('app=survivor', 3, (ps) => ps.every((p) => p.spec.nodeName !== victimNode));
    assert.ok(moved.every((p) => p.spec.nodeName !== victimNode));
    c.server.simNodes.start(victimNode);
    await eventually(async () => /\sReady\s/.test(await c.kubectl.ok(['get', 'node', victimNode])), 20_000, `${victimNode} Ready again`);
    await c.kubectl.ok(['delete', 'deploy/survivor', '-n', 'nodes']);
  });

  it('a server restarted in the middle of a rollout finishes it', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: deployment('steady', 6) });
    await c.kubectl.ok(['rollout', 'status', 'deploy/steady', '-n', 'nodes', '--timeout=60s']);
    await c.kubectl.ok(['set', 'image', 'deploy/steady', 'app=nginx:1.27', '-n', 'nodes']);
    await c.stopServer();
    await c.restart();
    await c.kubectl.ok(['rollout', 'status', 'deploy/steady', '-n', 'nodes', '--timeout=60s'], { timeoutMs: 90_000 });
    // Old pods may still be terminating; the six live ones all run the new image.
    const ps = await running('app=steady', 6, (xs) => xs.every((p) => p.spec.containers[0]!.image === 'nginx:1.27'));
    assert.equal(ps.length, 6);
  });
});
