/**
 * The scheduler end to end: a real server (memory store), three Node objects with Ready
 * status, and the real kubectl. Covers placement, nodeSelector, the upstream "0/3 nodes are
 * available" message for a pod that fits nowhere, required anti-affinity, taints, cordon
 * and preemption of a lower-priority pod.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.ts';
import { refs } from '../../src/client/refs.ts';
import { Client } from '../../src/client/rest.ts';
import { runFakeKubelet } from '../support/fake-kubelet.ts';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const admin = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
const nodeNames = ['node-1', 'node-2', 'node-3'];

function node(name: string, labels: Record<string, string> = {}): Node & KubeObject {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const res = { cpu: '4', memory: '8Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...labels } },
    spec: {},
    status: {
      capacity: res,
      allocatable: res,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }],
    },
  };
}

const podYaml = (name: string, extra = '', cpu = '100m', labels = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {test: sched${labels}}
spec:
${extra}  containers:
  - name: c
    image: registry.example/pause:3.9
    resources: {requests: {cpu: "${cpu}"}}
`;

describe('scheduling e2e', { skip: !haveKubectl && 'kubectl not installed' }, () => {
  let c: TestCluster;
  let client: Client;
  const stop = new AbortController();

  before(async () => {
    c = await startCluster({ datastore: 'memory' });
    client = new Client(c.server.transportFor(admin));
    const nodes = client.resource<Node & KubeObject>(refs.nodes);
    for (const n of nodeNames) {
      const want = node(n, n === 'node-2' ? { disk: 'ssd' } : {});
      const created = await nodes.create(want);
      await nodes.update({ ...created, status: want.status }, 'status');
    }
    // Only pods labelled kubelet=fake get a kubelet (Running, and terminating ones removed):
    // the fake kubelet marks every pod it sees Running, pending ones included.
    void runFakeKubelet(client, stop.signal, { labelSelector: 'kubelet=fake' });
  });

  after(async () => {
    stop.abort();
    await c?.stop();
  });

  const k = (args: string[], input?: string) => c.kubectl.ok(args, input === undefined ? undefined : { input });
  const nodeOf = (pod: string) => k(['get', 'pod', pod, '-o', 'jsonpath={.spec.nodeName}']);
  const scheduled = (pod: string) => eventually(async () => (await nodeOf(pod)) || undefined, 15_000, `${pod} scheduled`);
  const cleanup = () => k(['delete', 'pods', '-l', 'test=sched', '--grace-period=0', '--force']).then(() => eventually(async () => (await k(['get', 'pods', '-l', 'test=sched', '-o', 'name'])).trim() === '', 15_000, 'pods gone'));

  it('binds a pod to a node and records the Scheduled event', async () => {
    await k(['apply', '-f', '-'], podYaml('plain'));
    const host = await scheduled('plain');
    assert.ok(nodeNames.includes(host), host);
    const events = await eventually(async () => {
      const out = await k(['get', 'events', '--field-selector', 'involvedObject.name=plain,reason=Scheduled', '-o', 'jsonpath={.items[*].message}']);
      return out || undefined;
    }, 10_000, 'Scheduled event');
    assert.equal(events, `Successfully assigned default/plain to ${host}`);
    const cond = await k(['get', 'pod', 'plain', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].status}']);
    assert.equal(cond, 'True');
    await cleanup();
  });

  it('respects nodeSelector', async () => {
    for (let i = 0; i < 3; i++) await k(['apply', '-f', '-'], podYaml(`ssd-${i}`, '  nodeSelector: {disk: ssd}\n'));
    for (let i = 0; i < 3; i++) assert.equal(await scheduled(`ssd-${i}`), 'node-2');
    await cleanup();
  });

  it('leaves a pod that fits nowhere Pending with the upstream message and event', async () => {
    await k(['apply', '-f', '-'], podYaml('huge', '', '1000'));
    const want = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
    const msg = await eventually(async () => (await k(['get', 'pod', 'huge', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}'])) || undefined, 15_000, 'PodScheduled condition');
    assert.equal(msg, want);
    assert.equal(await k(['get', 'pod', 'huge', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}']), 'Unschedulable');
    assert.equal(await k(['get', 'pod', 'huge', '-o', 'jsonpath={.status.phase}']), 'Pending');
    const described = await eventually(async () => {
      const out = await k(['describe', 'pod', 'huge']);
      return out.includes('FailedScheduling') ? out : undefined;
    }, 10_000, 'FailedScheduling in describe');
    assert.match(described, /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available: 3 Insufficient cpu\. preemption: /);
    assert.equal(await nodeOf('huge'), '');
    await cleanup();
  });

  it('spreads replicas with required pod anti-affinity over the three nodes', async () => {
    const anti = `  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: spread}}
        topologyKey: kubernetes.io/hostname
`;
    for (let i = 0; i < 3; i++) await k(['apply', '-f', '-'], podYaml(`spread-${i}`, anti, '100m', ', app: spread'));
    const hosts = await Promise.all([0, 1, 2].map((i) => scheduled(`spread-${i}`)));
    assert.deepEqual([...new Set(hosts)].sort(), nodeNames);
    // A fourth replica has nowhere to go.
    await k(['apply', '-f', '-'], podYaml('spread-3', anti, '100m', ', app: spread'));
    const msg = await eventually(async () => (await k(['get', 'pod', 'spread-3', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}'])) || undefined, 15_000, 'spread-3 condition');
    assert.match(msg, /^0\/3 nodes are available: 3 node\(s\) didn't match pod anti-affinity rules\. preemption: /);
    await cleanup();
  });

  it('respects taints and tolerations', async () => {
    await k(['taint', 'nodes', 'node-1', 'node-3', 'dedicated=infra:NoSchedule']);
    try {
      for (let i = 0; i < 3; i++) await k(['apply', '-f', '-'], podYaml(`taint-${i}`));
      for (let i = 0; i < 3; i++) assert.equal(await scheduled(`taint-${i}`), 'node-2');
      const tol = '  nodeSelector: {kubernetes.io/hostname: node-1}\n  tolerations: [{key: dedicated, operator: Equal, value: infra, effect: NoSchedule}]\n';
      await k(['apply', '-f', '-'], podYaml('tolerant', tol));
      assert.equal(await scheduled('tolerant'), 'node-1');
      await k(['apply', '-f', '-'], podYaml('intolerant', '  nodeSelector: {kubernetes.io/hostname: node-3}\n'));
      const msg = await eventually(async () => (await k(['get', 'pod', 'intolerant', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}'])) || undefined, 15_000, 'intolerant condition');
      // Filters run in upstream order (TaintToleration before NodeAffinity): node-1 and node-3
      // fail on the taint, node-2 on the selector.
      assert.equal(msg, "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {dedicated: infra}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
    } finally {
      await k(['taint', 'nodes', 'node-1', 'node-3', 'dedicated-']);
    }
    await cleanup();
  });

  it('respects kubectl cordon, and uncordon lets a waiting pod in', async () => {
    await k(['cordon', 'node-1', 'node-2', 'node-3']);
    try {
    await k(['apply', '-f', '-'], podYaml('cordoned'));
    const msg = await eventually(async () => (await k(['get', 'pod', 'cordoned', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}'])) || undefined, 15_000, 'cordoned condition');
    assert.equal(msg, '0/3 nodes are available: 3 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
    await k(['uncordon', 'node-3']);
    assert.equal(await scheduled('cordoned'), 'node-3');
    } finally {
      await k(['uncordon', 'node-1', 'node-2', 'node-3']);
    }
    await cleanup();
  });

  it('preempts a lower-priority pod for a higher-priority one', async () => {
    await k(['apply', '-f', '-'], `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: low}
value: 100
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
`);
    for (const n of nodeNames) await k(['apply', '-f', '-'], podYaml(`low-${n}`, `  priorityClassName: low\n  nodeSelector: {kubernetes.io/hostname: ${n}}\n`, '3', ', kubelet: fake'));
    for (const n of nodeNames) assert.equal(await scheduled(`low-${n}`), n);
    await k(['apply', '-f', '-'], podYaml('high', '  priorityClassName: high\n', '3'));
    const host = await scheduled('high');
    assert.ok(nodeNames.includes(host));
    // The victim on that node is gone; the other low pods stay.
    await eventually(async () => (await c.kubectl(['get', 'pod', `low-${host}`])).code !== 0, 15_000, 'victim deleted');
    for (const n of nodeNames.filter((x) => x !== host)) assert.equal(await nodeOf(`low-${n}`), n);
    const preempted = await k(['get', 'events', '--field-selector', `reason=Preempted,involvedObject.name=low-${host}`, '-o', 'jsonpath={.items[*].message}']);
    assert.match(preempted, new RegExp(`^Preempted by pod [0-9a-f-]+ on node ${host}$`));
    await cleanup();
  });
});
