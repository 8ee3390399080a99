/**
 * Acceptance: the cluster-housekeeping controllers with the real kubectl and short timings.
 * The test plays the kubelet itself: it creates a Node and its Lease, renews the Lease, then
 * stops — the node goes Ready=Unknown and is tainted, its pods are marked not ready and
 * evicted after their tolerationSeconds; node IPAM hands out pod CIDRs; pods of a deleted
 * node are collected; every namespace gets a `default` ServiceAccount; PDB status is computed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.ts';
import { refs } from '../../src/client/refs.ts';
import { Client } from '../../src/client/rest.ts';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const admin = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
const microTime = () => new Date().toISOString().replace('Z', '000Z');
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
type N = Node & KubeObject;
type P = Pod & KubeObject;

describe('nodes and housekeeping', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  let client: Client;
  before(async () => {
    c = await startCluster({
      datastore: 'memory',
      controllerOptions: { nodeMonitorGracePeriodMs: 1500, nodeMonitorPeriodMs: 200, podGcPeriodMs: 200, podGcQuarantineMs: 300 },
    });
    client = new Client(c.server.transportFor(admin));
  });
  after(async () => {
    await c?.stop();
  });

  const getJson = async <T>(args: string[]): Promise<T> => JSON.parse(await c.kubectl.ok(['get', ...args, '-o', 'json'])) as T;
  const postReady = (name: string) =>
    client.resource<N>(refs.nodes).patch(
      name,
      'merge',
      { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now(), lastTransitionTime: now() }] } },
      { subresource: 'status' },
    );
  const makeNode = async (name: string) => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${name}\n` });
    await postReady(name);
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: `apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: ${name}\n  namespace: kube-node-lease\nspec:\n  holderIdentity: ${name}\n  leaseDurationSeconds: 40\n  renewTime: "${microTime()}"\n`,
    });
  };
  const renew = (name: string) =>
    client.resource(refs.leases).patch(name, 'merge', { spec: { renewTime: microTime() } }, { namespace: 'kube-node-lease' });
  const podOn = (name: string, node: string, tolerations = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: default
spec:
  nodeName: ${node}
  containers: [{name: c, image: busybox}]
${tolerations}`;
  const markReady = (name: string) =>
    client.resource<P>(refs.pods).patch(name, 'merge', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, { namespace: 'default', subresource: 'status' });

  it('a node whose lease lapses goes Unknown, is tainted, and its pods are evicted per their tolerations', async () => {
    const k = c.kubectl;
    await makeNode('n1');
    const renewing = new AbortController();
    const loop = (async () => {
      while (!renewing.signal.aborted) {
        await renew('n1').catch(() => {});
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      const withCidr = await eventually(async () => {
        const n = await getJson<N>(['node', 'n1']);
        return n.spec?.podCIDR ? n : undefined;
      }, 10_000, 'a pod CIDR for n1');
      assert.match(withCidr.spec!.podCIDR!, /^10\.42\.\d+\.0\/24$/);
      assert.deepEqual(withCidr.spec!.podCIDRs, [withCidr.spec!.podCIDR]);

      await k.ok(['apply', '-f', '-'], {
        input: podOn('short', 'n1', '  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}]\n'),
      });
      await k.ok(['apply', '-f', '-'], { input: podOn('patient', 'n1') });
      await markReady('short');
      await markReady('patient');
      // DefaultTolerationSeconds: the defaults fill in only what the pod does not tolerate.
      const patient = await getJson<P>(['pod', 'patient']);
      assert.deepEqual(
        patient.spec?.tolerations?.map((t) => [t.key, t.effect, t.tolerationSeconds]),
        [
          ['node.kubernetes.io/not-ready', 'NoExecute', 300],
          ['node.kubernetes.io/unreachable', 'NoExecute', 300],
        ],
      );
      const short = await getJson<P>(['pod', 'short']);
      assert.deepEqual(short.spec?.tolerations?.map((t) => [t.key, t.tolerationSeconds]), [
        ['node.kubernetes.io/unreachable', 2],
        ['node.kubernetes.io/not-ready', 300],
      ]);
      // While the lease is renewed nothing happens to the node (several grace periods pass).
      await new Promise((r) => setTimeout(r, 2000));
      const healthy = await getJson<N>(['node', 'n1']);
      assert.equal(healthy.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'True');
      assert.equal(healthy.spec?.taints, undefined);
    } finally {
      renewing.abort();
      await loop;
    }

    const down = await eventually(async () => {
      const n = await getJson<N>(['node', 'n1']);
      const ready = n.status?.conditions?.find((x) => x.type === 'Ready');
      return ready?.status === 'Unknown' && (n.spec?.taints?.length ?? 0) >= 2 ? n : undefined;
    }, 10_000, 'n1 to go Unknown and be tainted');
    const ready = down.status!.conditions!.find((x) => x.type === 'Ready')!;
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');
    assert.equal(down.status!.conditions!.find((x) => x.type === 'MemoryPressure')?.reason, 'NodeStatusNeverUpdated');
    assert.deepEqual(down.spec!.taints!.map((t) => `${t.key}:${t.effect}`).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);

    await eventually(async () => (await getJson<P>(['pod', 'patient'])).status?.conditions?.find((x) => x.type === 'Ready')?.status === 'False', 10_000, 'pods marked not ready');
    const evicted = await eventually(async () => {
      const p = await getJson<P>(['pod', 'short']);
      return p.metadata?.deletionTimestamp ? p : undefined;
    }, 10_000, 'the 2s-tolerating pod to be evicted');
    assert.equal(evicted.status?.conditions?.find((x) => x.type === 'DisruptionTarget')?.reason, 'DeletionByTaintManager');
    assert.equal((await getJson<P>(['pod', 'patient'])).metadata?.deletionTimestamp, undefined, 'a 300s toleration is still running');
    assert.match(await k.ok(['get', 'events', '--field-selector', 'involvedObject.name=short']), /TaintManagerEviction/);

    // The kubelet comes back: the taints go.
    await renew('n1');
    await postReady('n1');
    await eventually(async () => (await getJson<N>(['node', 'n1'])).spec?.taints === undefined, 10_000, 'taints removed once Ready');

    // A NoExecute taint the pod does not tolerate evicts it at once.
    await k.ok(['taint', 'node', 'n1', 'example.com/broken=yes:NoExecute']);
    await eventually(async () => (await getJson<P>(['pod', 'patient'])).metadata?.deletionTimestamp, 10_000, 'an intolerant pod to be evicted');
  });

  it('node IPAM never hands out a CIDR in use; pods of a deleted node are collected', async () => {
    const k = c.kubectl;
    await makeNode('n2');
    const cidrOf = (name: string) =>
      eventually(async () => (await getJson<N>(['node', name])).spec?.podCIDR, 10_000, `a pod CIDR for ${name}`);
    const n1 = await cidrOf('n1');
    const n2 = await cidrOf('n2');
    assert.notEqual(n1, n2);

    await k.ok(['apply', '-f', '-'], { input: podOn('stranded', 'n2') });
    await k.ok(['delete', 'node', 'n2']);
    await eventually(async () => (await k(['get', 'pod', 'stranded'])).stderr.includes('NotFound'), 10_000, 'orphaned pod to be collected');
    // n1's terminating pods are not orphans; deleting n1 makes them so.
    await k.ok(['delete', 'node', 'n1']);
    await eventually(async () => (await k(['get', 'pods', '-o', 'name'])).stdout.trim() === '', 10_000, 'pods of n1 to be collected');
  });

  it('every namespace gets a default ServiceAccount, recreated when deleted', async () => {
    const k = c.kubectl;
    await k.ok(['create', 'namespace', 'sa-test']);
    const uid = await eventually(async () => (await k(['get', 'sa', 'default', '-n', 'sa-test', '-o', 'jsonpath={.metadata.uid}'])).stdout, 10_000, 'default SA');
    await k.ok(['delete', 'sa', 'default', '-n', 'sa-test']);
    await eventually(async () => {
      const again = (await k(['get', 'sa', 'default', '-n', 'sa-test', '-o', 'jsonpath={.metadata.uid}'])).stdout;
      return again && again !== uid;
    }, 10_000, 'default SA to be recreated');
    await k.ok(['get', 'sa', 'default', '-n', 'kube-system']);
  });

  it('PodDisruptionBudget status follows its pods and their controller scale', async () => {
    const k = c.kubectl;
    // An owner with a scale subresource whose own pods do not match the budget's selector.
    await k.ok(['create', 'deployment', 'pdb-owner', '--image=busybox', '--replicas=4']);
    const owner = JSON.parse(await k.ok(['get', 'deploy', 'pdb-owner', '-o', 'json']));
    for (const name of ['web-a', 'web-b', 'web-c']) {
      await k.ok(['apply', '-f', '-'], {
        input: `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {app: pdb-web}
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: pdb-owner, uid: ${owner.metadata.uid}, controller: true}]
spec:
  containers: [{name: c, image: busybox}]
`,
      });
      await markReady(name);
    }
    await k.ok(['create', 'pdb', 'web-pct', '--selector=app=pdb-web', '--max-unavailable=50%']);
    await k.ok(['create', 'pdb', 'web-min', '--selector=app=pdb-web', '--min-available=3']);
    const pct = await eventually(async () => {
      const p = await getJson<{ status?: Record<string, unknown> & { conditions?: { type: string; status: string; reason: string }[] } }>(['pdb', 'web-pct']);
      return p.status?.expectedPods === 4 ? p : undefined;
    }, 10_000, 'web-pct status');
    assert.equal(pct.status!.desiredHealthy, 2);
    assert.equal(pct.status!.currentHealthy, 3);
    assert.equal(pct.status!.disruptionsAllowed, 1);
    assert.equal(pct.status!.observedGeneration, 1);
    assert.deepEqual(pct.status!.conditions!.map((x) => [x.type, x.status, x.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);

    const min = await eventually(async () => {
      const p = await getJson<{ status?: Record<string, unknown> & { conditions?: { reason: string }[] } }>(['pdb', 'web-min']);
      return p.status?.expectedPods === 3 ? p : undefined;
    }, 10_000, 'web-min status');
    assert.equal(min.status!.disruptionsAllowed, 0);
    assert.equal(min.status!.conditions![0]!.reason, 'InsufficientPods');
    assert.match(await k.ok(['get', 'pdb', 'web-min']), /web-min\s+3\s+N\/A\s+0/);

    // A pod going unready lowers currentHealthy.
    await client.resource<P>(refs.pods).patch('web-b', 'merge', { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, { namespace: 'default', subresource: 'status' });
    const lowered = await eventually(async () => {
      const p = await getJson<{ status?: { currentHealthy?: number; disruptionsAllowed?: number } }>(['pdb', 'web-pct']);
      return p.status?.currentHealthy === 2 ? p : undefined;
    }, 10_000, 'currentHealthy to drop');
    assert.equal(lowered.status!.disruptionsAllowed, 0);
    // Evicting through the API honours the budget that allows nothing (one budget per pod:
    // with two matching, upstream refuses every eviction).
    await k.ok(['delete', 'pdb', 'web-pct']);
    await assert.rejects(
      client.resource(refs.pods).createSubresource('web-a', 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-a', namespace: 'default' } }, 'default'),
      /disruption budget/,
    );
  });
});

describe('node IPAM across a restart', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ datastore: 'sqlite' });
  });
  after(async () => {
    await c?.stop();
  });

  it('rebuilds the allocation from the nodes, so no CIDR is handed out twice', async () => {
    const cidrOf = (name: string) =>
      eventually(async () => (await c.kubectl.ok(['get', 'node', name, '-o', 'jsonpath={.spec.podCIDR}'])).trim(), 10_000, `a pod CIDR for ${name}`);
    await c.kubectl.ok(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Node\nmetadata:\n  name: before-restart\n' });
    const first = await cidrOf('before-restart');
    await c.stopServer();
    await c.restart();
    await c.kubectl.ok(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Node\nmetadata:\n  name: after-restart\n' });
    const second = await cidrOf('after-restart');
    assert.notEqual(second, first);
    assert.equal(await cidrOf('before-restart'), first);
  });
});
