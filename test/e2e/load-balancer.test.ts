/**
 * Acceptance for LoadBalancer Services on `skiff server --sim-nodes 2`, driven by the real
 * kubectl: `kubectl expose --type=LoadBalancer` gets EXTERNAL-IP = both nodes' InternalIPs from
 * the service-lb controller (with the cleanup finalizer), a second Service on the same port
 * stays `<pending>` with a `SyncLoadBalancerFailed` Warning that `kubectl describe` shows, and
 * changing the type away removes the status and the finalizer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

interface NodeLite {
  status: { addresses: { type: string; address: string }[] };
}

describe('LoadBalancer Services', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let cluster: TestCluster;
  let nodeIPs: string[];
  before(async () => {
    cluster = await startCluster({ datastore: 'memory', simNodes: 2 });
    const k = cluster.kubectl;
    nodeIPs = await eventually(async () => {
      const nodes: { items: NodeLite[] } = JSON.parse(await k.ok(['get', 'nodes', '-o', 'json']));
      const ips = nodes.items.flatMap((n) => n.status.addresses.filter((a) => a.type === 'InternalIP').map((a) => a.address));
      return ips.length === 2 && ips.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    }, 30_000, 'two nodes with InternalIPs');
    await k.ok(['create', 'namespace', 'lb']);
    await k.ok(['-n', 'lb', 'create', 'deployment', 'web', '--image=nginx:1.25', '--port=80', '--replicas=2']);
  });
  after(async () => {
    await cluster?.stop();
  });

  const row = async (name: string) => (await cluster.kubectl.ok(['-n', 'lb', 'get', 'svc', name, '--no-headers'])).trim().split(/\s+/);

  it('gives a LoadBalancer Service the node addresses as EXTERNAL-IP', async () => {
    const k = cluster.kubectl;
    await k.ok(['-n', 'lb', 'expose', 'deployment', 'web', '--type=LoadBalancer', '--port=80']);
    const cols = await eventually(async () => {
      const r = await row('web');
      return r[3] !== '<pending>' && r;
    }, 30_000, 'EXTERNAL-IP set');
    // NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE
    assert.equal(cols[1], 'LoadBalancer');
    assert.equal(cols[3], nodeIPs.join(','));
    assert.match(cols[4]!, /^80:3\d{4}\/TCP$/);
    const svc = JSON.parse(await k.ok(['-n', 'lb', 'get', 'svc', 'web', '-o', 'json']));
    assert.deepEqual(svc.metadata.finalizers, ['service.kubernetes.io/load-balancer-cleanup']);
    assert.deepEqual(svc.status.loadBalancer.ingress.map((i: { ipMode?: string }) => i.ipMode), ['VIP', 'VIP']);
    const described = await k.ok(['-n', 'lb', 'describe', 'svc', 'web']);
    assert.match(described, /LoadBalancer Ingress:\s+10\./);
    assert.match(described, /Normal\s+EnsuringLoadBalancer\s+.*Ensuring load balancer/);
    assert.match(described, /Normal\s+EnsuredLoadBalancer\s+.*Ensured load balancer/);
  });

  it('leaves a second Service on the same port Pending with a warning event', async () => {
    const k = cluster.kubectl;
    await k.ok(['-n', 'lb', 'expose', 'deployment', 'web', '--name=web2', '--type=LoadBalancer', '--port=80']);
    const described = await eventually(async () => {
      const d = await k.ok(['-n', 'lb', 'describe', 'svc', 'web2']);
      return /SyncLoadBalancerFailed/.test(d) && d;
    }, 30_000, 'SyncLoadBalancerFailed event');
    assert.match(described, /Warning\s+SyncLoadBalancerFailed\s+.*port 80\/TCP is already in use by LoadBalancer Service lb\/web/);
    assert.equal((await row('web2'))[3], '<pending>');
    // Another port is no conflict.
    await k.ok(['-n', 'lb', 'expose', 'deployment', 'web', '--name=web3', '--type=LoadBalancer', '--port=8081', '--target-port=80']);
    await eventually(async () => (await row('web3'))[3] === nodeIPs.join(','), 30_000, 'web3 served');
  });

  it('removes the status and the finalizer when the type changes away, freeing the port', async () => {
    const k = cluster.kubectl;
    await k.ok(['-n', 'lb', 'patch', 'svc', 'web', '-p', '{"spec":{"type":"ClusterIP"}}']);
    await eventually(async () => {
      const svc = JSON.parse(await k.ok(['-n', 'lb', 'get', 'svc', 'web', '-o', 'json']));
      return !svc.status.loadBalancer?.ingress && !svc.metadata.finalizers;
    }, 30_000, 'web cleaned up');
    assert.equal((await row('web'))[3], '<none>');
    await eventually(async () => (await row('web2'))[3] === nodeIPs.join(','), 30_000, 'web2 takes the freed port');
    await k.ok(['-n', 'lb', 'delete', 'svc', 'web2', '--wait=true', '--timeout=15s']);
  });
});
