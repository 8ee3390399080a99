/**
 * Acceptance: a DaemonSet runs one pod per eligible node, pinned there by node affinity (the
 * test binds them as a scheduler would and reports them Ready as a kubelet would); a joining
 * node gets a pod, a node that becomes ineligible loses it; a new template rolls out with
 * `kubectl rollout status` and leaves ControllerRevisions for `kubectl rollout history`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.ts';
import { refs } from '../../src/client/refs.ts';
import { Client } from '../../src/client/rest.ts';
import { targetNodeName } from '../../src/controllers/daemonset/should-run.ts';
import { readyStatus } from '../support/fake-kubelet.ts';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

type P = Pod & KubeObject;
type N = Node & KubeObject;

const manifest = (image: string) => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {role: worker}
      containers: [{name: agent, image: ${image}}]
`;

/** Plays scheduler and kubelet for the daemon pods: binds each to its pinned node, reports it Ready, finishes deletions. */
async function runNodeStandIn(client: Client, signal: AbortSignal): Promise<void> {
  const pods = client.resource<P>(refs.pods);
  while (!signal.aborted) {
    try {
      for (const p of (await pods.list({ namespace: 'default', labelSelector: 'app=agent' })).items) {
        const name = p.metadata!.name!;
        if (p.metadata?.deletionTimestamp) await pods.delete(name, { namespace: 'default', gracePeriodSeconds: 0 });
        else if (!p.spec?.nodeName) {
          const node = targetNodeName(p);
          if (node) await pods.createSubresource(name, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } }, 'default');
        } else if (p.status?.phase !== 'Running') await pods.update({ ...p, status: readyStatus(p) }, 'status');
      }
    } catch {
      // a race with the controller; the next round sees the new state
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('daemonsets', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  let client: Client;
  const stop = new AbortController();
  let standIn: Promise<void>;

  const addNode = async (name: string) => {
    const nodes = client.resource<N>(refs.nodes);
    const n = await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { role: 'worker' } } });
    const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await nodes.update({ ...n, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: t, lastTransitionTime: t }] } }, 'status');
  };
  const daemonPods = async () => (await client.resource<P>(refs.pods).list({ namespace: 'default', labelSelector: 'app=agent' })).items.filter((p) => !p.metadata?.deletionTimestamp);

  before(async () => {
    // Nodes here have no kubelet renewing them: keep node-lifecycle from declaring them lost mid-test.
    c = await startCluster({ datastore: 'memory', controllerOptions: { nodeMonitorGracePeriodMs: 600_000, nodeStartupGracePeriodMs: 600_000 } });
    client = new Client(c.server.transportFor({ username: 'test-admin', groups: ['system:masters', 'system:authenticated'] }));
    for (const n of ['n1', 'n2', 'n3']) await addNode(n);
    standIn = runNodeStandIn(client, stop.signal);
  });
  after(async () => {
    stop.abort();
    await standIn;
    await c?.stop();
  });

  it('runs one pod per eligible node, pinned by node affinity', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: manifest('busybox:1') });
    const pods = await eventually(async () => {
      const ps = await daemonPods();
      return ps.length === 3 && ps;
    }, 15_000, 'three daemon pods');
    assert.deepEqual(pods.map((p) => targetNodeName(p)).sort(), ['n1', 'n2', 'n3']);
    const p = pods[0]!;
    assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'DaemonSet');
    assert.match(p.metadata?.name ?? '', /^agent-[a-z0-9]{5}$/);
    assert.ok(p.metadata?.labels?.['controller-revision-hash']);
    assert.equal(p.metadata?.labels?.['pod-template-generation'], '1');
    assert.deepEqual(p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: [targetNodeName(p)!] }] },
    ]);
    assert.ok(p.spec?.tolerations?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute' && t.operator === 'Exists'));

    const out = await c.kubectl.ok(['rollout', 'status', 'ds/agent', '--timeout=30s']);
    assert.match(out, /daemon set "agent" successfully rolled out/);
    const ds = JSON.parse(await c.kubectl.ok(['get', 'ds', 'agent', '-o', 'json']));
    assert.deepEqual(
      [ds.status.desiredNumberScheduled, ds.status.currentNumberScheduled, ds.status.numberReady, ds.status.updatedNumberScheduled, ds.status.numberAvailable, ds.status.numberMisscheduled ?? 0],
      [3, 3, 3, 3, 3, 0],
    );
    assert.equal(ds.status.observedGeneration, ds.metadata.generation);
    assert.match(await c.kubectl.ok(['get', 'ds', 'agent']), /agent\s+3\s+3\s+3\s+3\s+3\s+role=worker/);
    const events = await c.kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=agent', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, /SuccessfulCreate: Created pod: agent-[a-z0-9]{5}/);
  });

  it('gives a joining node a pod and takes it from a node that becomes ineligible', async () => {
    await addNode('n4');
    await eventually(async () => (await daemonPods()).some((p) => targetNodeName(p) === 'n4'), 15_000, 'a pod for n4');
    await c.kubectl.ok(['label', 'node', 'n4', 'role=storage', '--overwrite']);
    await eventually(async () => !(await daemonPods()).some((p) => targetNodeName(p) === 'n4'), 15_000, 'the n4 pod to go');
    // An untolerated NoExecute taint evicts too.
    await c.kubectl.ok(['taint', 'node', 'n3', 'dedicated=db:NoExecute']);
    await eventually(async () => !(await daemonPods()).some((p) => targetNodeName(p) === 'n3'), 15_000, 'the n3 pod to go');
    await c.kubectl.ok(['taint', 'node', 'n3', 'dedicated=db:NoExecute-']);
    await eventually(async () => (await daemonPods()).some((p) => targetNodeName(p) === 'n3'), 15_000, 'n3 to get a pod back');
    const events = await c.kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=agent,reason=SuccessfulDelete', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /Deleted pod: agent-/);
  });

  it('rolls out a new template and records revisions', async () => {
    await c.kubectl.ok(['rollout', 'status', 'ds/agent', '--timeout=30s']);
    const before = new Set((await daemonPods()).map((p) => p.metadata!.name!));
    await c.kubectl.ok(['set', 'image', 'ds/agent', 'agent=busybox:2']);
    const out = await c.kubectl.ok(['rollout', 'status', 'ds/agent', '--timeout=30s']);
    assert.match(out, /daemon set "agent" successfully rolled out/);
    const pods = await eventually(async () => {
      const ps = await daemonPods();
      return ps.length === 3 && ps.every((p) => p.spec?.containers[0]?.image === 'busybox:2') && ps;
    }, 15_000, 'every pod at the new image');
    assert.ok(pods.every((p) => !before.has(p.metadata!.name!)), 'every old pod was replaced');
    assert.ok(pods.every((p) => p.metadata?.labels?.['pod-template-generation'] === '2'));
    const history = await c.kubectl.ok(['rollout', 'history', 'ds/agent']);
    assert.match(history, /REVISION\s+CHANGE-CAUSE\s+1\s+\S+\s+2\s+/);
    const crs = await c.kubectl.ok(['get', 'controllerrevisions', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.revision}{"\\n"}{end}']);
    assert.equal(crs.trim().split('\n').length, 2, crs);
    assert.match(await c.kubectl.ok(['get', 'controllerrevisions']), /agent-\S+\s+daemonset\.apps\/agent\s+2/);
  });

  it('rolls back with kubectl rollout undo', async () => {
    await c.kubectl.ok(['rollout', 'undo', 'ds/agent']);
    await c.kubectl.ok(['rollout', 'status', 'ds/agent', '--timeout=30s']);
    await eventually(async () => {
      const ps = await daemonPods();
      return ps.length === 3 && ps.every((p) => p.spec?.containers[0]?.image === 'busybox:1');
    }, 15_000, 'every pod back at the old image');
    // The old revision is reused (renumbered), not duplicated.
    const crs = await c.kubectl.ok(['get', 'controllerrevisions', '-o', 'jsonpath={.items[*].revision}']);
    assert.deepEqual(crs.split(' ').sort(), ['2', '3']);
  });
});
