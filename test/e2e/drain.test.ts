/**
 * Acceptance for `kubectl drain` against a PodDisruptionBudget on `--sim-nodes 3`: a
 * Deployment of 4 replicas with a PDB `minAvailable: 3`, spread by a soft topology constraint
 * (a hard one would leave the 4th replacement Pending, as upstream, because the cordoned node
 * still counts as a domain). Draining a node that holds two of them succeeds, the eviction
 * subresource refuses the second eviction until the first pod's replacement is Ready, and a
 * pod watch sees at least 3 pods Running and Ready at every moment of the drain.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.ts';
import { refs } from '../../src/client/refs.ts';
import { Client } from '../../src/client/rest.ts';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

type P = Pod & KubeObject;

const manifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: drain}
spec:
  replicas: 4
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}
      containers:
      - {name: web, image: nginx:1.27}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: drain}
spec:
  minAvailable: 3
  selector:
    matchLabels: {app: web}
`;

const available = (p: P) =>
  !p.metadata?.deletionTimestamp && p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

describe('kubectl drain with a PodDisruptionBudget', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  let client: Client;
  const stop = new AbortController();

  before(async () => {
    c = await startCluster({ datastore: 'memory', simNodes: 3 });
    client = new Client(c.server.transportFor({ username: 'test-admin', groups: ['system:masters', 'system:authenticated'] }));
    await c.kubectl.ok(['create', 'namespace', 'drain']);
    await eventually(async () => ((await c.kubectl.ok(['get', 'nodes'])).match(/\sReady\s/g) ?? []).length === 3, 10_000, 'three Ready nodes');
  });
  after(async () => {
    stop.abort();
    await c?.stop();
  });

  it('drains a node holding two pods without ever dropping below minAvailable', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: manifests });
    const pods = client.resource<P>(refs.pods);
    const initial = await eventually(async () => {
      const list = await pods.list({ namespace: 'drain', labelSelector: 'app=web' });
      return list.items.filter(available).length === 4 ? list : undefined;
    }, 20_000, '4 available pods');
    await eventually(async () => {
      const pdb = JSON.parse(await c.kubectl.ok(['get', 'pdb', 'web', '-n', 'drain', '-o', 'json'])) as { status?: { disruptionsAllowed?: number } };
      return pdb.status?.disruptionsAllowed === 1;
    }, 10_000, 'PDB allows one disruption');
    const perNode = new Map<string, number>();
    for (const p of initial.items) perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
    const victim = [...perNode].find(([, n]) => n === 2)?.[0];
    assert.ok(victim, `a node with two pods: ${JSON.stringify([...perNode])}`);

    // Watch every change from the listed state on, tracking how many pods are available.
    const state = new Map(initial.items.map((p) => [p.metadata!.name!, available(p)]));
    const count = () => [...state.values()].filter(Boolean).length;
    let lowest = count();
    const watching = (async () => {
      try {
        for await (const ev of pods.watch({ namespace: 'drain', labelSelector: 'app=web', resourceVersion: initial.metadata.resourceVersion, signal: stop.signal })) {
          const name = ev.object.metadata?.name ?? '';
          if (ev.type === 'DELETED') state.delete(name);
          else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') state.set(name, available(ev.object));
          lowest = Math.min(lowest, count());
        }
      } catch {
        // aborted at the end of the test
      }
    })();

    const drained = await c.kubectl(['drain', victim, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=90s'], { timeoutMs: 120_000 });
    assert.equal(drained.code, 0, drained.stderr);
    assert.match(drained.stdout, new RegExp(`node/${victim} drained`));
    // kubectl evicts both pods at once; the budget lets only one go at a time.
    assert.match(drained.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);

    const after = await eventually(async () => {
      const list = await pods.list({ namespace: 'drain', labelSelector: 'app=web' });
      const ok = list.items.filter(available);
      return ok.length === 4 && ok.every((p) => p.spec?.nodeName !== victim) ? ok : undefined;
    }, 20_000, '4 available pods off the drained node');
    assert.equal(after.length, 4);
    stop.abort();
    await watching;
    assert.ok(lowest >= 3, `fewest available pods during the drain: ${lowest}`);
  });
});
