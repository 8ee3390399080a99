import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { Client } from '../client/rest.ts';
import { refs } from '../client/refs.ts';
import { cleanupFinalizer, findConflict, nodeAddresses, wantsLoadBalancer, type N, type Svc } from './service-lb/desired.ts';
import { startCluster, type TestCluster } from '../../test/support/server.ts';
import { eventually } from '../../test/support/kubectl.ts';

const node = (name: string, ip: string, ready = true, unschedulable = false): N => ({
  metadata: { name },
  spec: { unschedulable },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], addresses: [{ type: 'InternalIP', address: ip }] },
});
const svc = (name: string, port: number, over: Partial<Svc['spec']> = {}, created = '2026-01-01T00:00:00Z', ingress = false): Svc => ({
  metadata: { name, namespace: 'default', uid: name, creationTimestamp: created },
  spec: { type: 'LoadBalancer', ports: [{ port, protocol: 'TCP' }], ...over },
  status: ingress ? { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } : {},
});

describe('service-lb desired state', () => {
  it('serves LoadBalancer Services of no class or ours', () => {
    assert.ok(wantsLoadBalancer(svc('a', 80)));
    assert.ok(!wantsLoadBalancer(svc('a', 80, { type: 'NodePort' })));
    assert.ok(!wantsLoadBalancer(svc('a', 80, { loadBalancerClass: 'example.com/other' })));
  });
  it('uses the sorted InternalIPs of Ready, schedulable nodes', () => {
    const ips = nodeAddresses([node('c', '10.0.0.10'), node('a', '10.0.0.9'), node('x', '10.0.0.2', false), node('y', '10.0.0.3', true, true)]);
    assert.deepEqual(ips, ['10.0.0.9', '10.0.0.10']);
  });
  it('gives a contested port to the Service already serving it, else to the older one', () => {
    const old = svc('old', 80, {}, '2026-01-01T00:00:00Z');
    const young = svc('young', 80, {}, '2026-01-02T00:00:00Z');
    assert.deepEqual(findConflict(young, [old, young]), { port: '80/TCP', holder: 'default/old' });
    assert.equal(findConflict(old, [old, young]), undefined);
    const serving = svc('young', 80, {}, '2026-01-02T00:00:00Z', true);
    assert.equal(findConflict(serving, [old, serving])?.holder, undefined);
    assert.equal(findConflict(old, [old, serving])?.holder, 'default/young');
    assert.equal(findConflict(svc('udp', 80, { ports: [{ port: 80, protocol: 'UDP' }] }), [old]), undefined);
  });
});

describe('service-lb-controller', () => {
  let cluster: TestCluster;
  let client: Client;
  before(async () => {
    cluster = await startCluster({ datastore: 'memory' });
    client = new Client(cluster.server.transportFor({ username: 'test-admin', groups: ['system:masters', 'system:authenticated'] }));
    for (const [name, ip] of [['n2', '10.9.0.2'], ['n1', '10.9.0.1']] as const) {
      await client.resource<N>(refs.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
      await client.resource<N>(refs.nodes).patch(name, 'merge', { status: node(name, ip).status }, { subresource: 'status' });
    }
  });
  after(async () => {
    await cluster.stop();
  });
  const services = () => client.resource<Svc>(refs.services);
  const ingressOf = async (name: string) => (await services().get(name, 'default')).status?.loadBalancer?.ingress;

  it('writes node addresses, follows node changes, and cleans up on type change and delete', async () => {
    await services().create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80 }] } }, 'default');
    await eventually(async () => JSON.stringify(await ingressOf('web')) === JSON.stringify([{ ip: '10.9.0.1', ipMode: 'VIP' }, { ip: '10.9.0.2', ipMode: 'VIP' }]), 30_000, 'ingress = both nodes');
    assert.ok((await services().get('web', 'default')).metadata?.finalizers?.includes(cleanupFinalizer));

    await client.resource<N>(refs.nodes).patch('n2', 'merge', { spec: { unschedulable: true } });
    await eventually(async () => (await ingressOf('web'))?.length === 1, 30_000, 'cordoned node dropped');

    await services().patch('web', 'merge', { spec: { type: 'ClusterIP' } }, { namespace: 'default' });
    await eventually(async () => {
      const s = await services().get('web', 'default');
      return !s.status?.loadBalancer?.ingress && !s.metadata?.finalizers?.includes(cleanupFinalizer);
    }, 30_000, 'status and finalizer removed after type change');

    await services().patch('web', 'merge', { spec: { type: 'LoadBalancer' } }, { namespace: 'default' });
    await eventually(async () => (await services().get('web', 'default')).metadata?.finalizers?.includes(cleanupFinalizer), 30_000, 'finalizer back');
    await services().delete('web', { namespace: 'default' });
    await eventually(async () => services().get('web', 'default').then(() => false, () => true), 30_000, 'service gone after cleanup');
    const events = await client.resource<Event & KubeObject>(refs.events).list({ namespace: 'default', fieldSelector: 'involvedObject.name=web' });
    const reasons = new Set(events.items.map((e) => e.reason));
    for (const r of ['EnsuringLoadBalancer', 'EnsuredLoadBalancer', 'DeletingLoadBalancer', 'DeletedLoadBalancer']) assert.ok(reasons.has(r), `event ${r}`);
  });

  it('leaves a Service Pending with a warning when its port is taken', async () => {
    const mk = (name: string) => services().create({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: 8080 }] } }, 'default');
    await mk('first');
    await eventually(async () => (await ingressOf('first'))?.length, 30_000, 'first served');
    await mk('second');
    const warning = await eventually(async () => {
      const evs = await client.resource<Event & KubeObject>(refs.events).list({ namespace: 'default', fieldSelector: 'involvedObject.name=second' });
      return evs.items.find((e) => e.reason === 'SyncLoadBalancerFailed');
    }, 30_000, 'conflict warning');
    assert.equal(warning.type, 'Warning');
    assert.match(warning.message ?? '', /port 8080\/TCP is already in use by LoadBalancer Service default\/first/);
    assert.equal(await ingressOf('second'), undefined);
    // The holder going away frees the port.
    await services().delete('first', { namespace: 'default' });
    await eventually(async () => (await ingressOf('second'))?.length, 30_000, 'second served once the port is free');
  });
});
