import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../api/object.ts';
import { refs } from '../client/refs.ts';
import { Client } from '../client/rest.ts';
import { silentLogger } from '../util/log.ts';
import { startCluster, type TestCluster } from '../../test/support/server.ts';
import { eventually } from '../../test/support/kubectl.ts';
import type { ProxyBackend, ProxyTable } from './model.ts';
import { startServiceProxy, type ServiceProxyHandle } from './index.ts';

type Svc = Service & KubeObject;
type Slice = EndpointSlice & KubeObject;

/** Records what the runner hands over; can be told to fail a number of syncs. */
class RecordingBackend implements ProxyBackend {
  readonly name = 'recording';
  tables: ProxyTable[] = [];
  failNext = 0;
  closed = false;
  async sync(table: ProxyTable): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('injected failure');
    }
    this.tables.push(table);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  get latest(): ProxyTable | undefined {
    return this.tables.at(-1);
  }
}

describe('service proxy runner against a real API server, as the node', () => {
  let c: TestCluster;
  let admin: Client;
  let proxy: ServiceProxyHandle;
  const backend = new RecordingBackend();
  const registry = new Registry();
  const stop = new AbortController();

  before(async () => {
    c = await startCluster({ datastore: 'memory' });
    admin = new Client(c.server.transportFor({ username: 'test-admin', groups: ['system:masters', 'system:authenticated'] }));
    await admin.resource<Node & KubeObject>(refs.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'px1' } });
    await admin.resource<Node & KubeObject>(refs.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'px2' } });
    // The node's own identity: RBAC (system:node-proxier for system:nodes) must let it list slices.
    const nodeClient = new Client(c.server.transportFor({ username: 'system:node:px1', groups: ['system:nodes', 'system:authenticated'] }));
    proxy = startServiceProxy({ client: nodeClient, nodeName: 'px1', backend, logger: silentLogger, registry, minSyncIntervalMs: 20 }, stop.signal);
  });
  after(async () => {
    await proxy?.stop();
    stop.abort();
    await c?.stop();
  });

  test('first sync programs the existing Services and the node', async () => {
    await proxy.synced();
    assert.equal(proxy.backend, 'recording');
    assert.ok(backend.latest!.services.some((s) => s.id === 'default/kubernetes:https'), 'the kubernetes Service is proxied');
    assert.ok(proxy.lastSync()!.services >= 1);
  });

  test('a Service and its slice appear, then an endpoint change applies within a second', async () => {
    await admin.resource<Svc>(refs.services).create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80 }] } }, 'default');
    const slices = admin.resource<Slice>(refs.endpointslices);
    const slice = await slices.create(
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'web-manual', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: [{ addresses: ['10.42.0.2'], nodeName: 'px1' }, { addresses: ['10.42.1.2'], nodeName: 'px2' }],
      },
      'default',
    );
    const web = () => backend.latest?.services.find((s) => s.id === 'default/web:http');
    const first = await eventually(() => web()?.clusterEndpoints.length === 2 && web(), 5000, 'web with two endpoints');
    assert.deepEqual(first.clusterEndpoints.map((e) => [e.ip, e.local]), [['10.42.0.2', true], ['10.42.1.2', false]]);

    const changed = Date.now();
    await slices.update({ ...slice, endpoints: [{ addresses: ['10.42.1.2'], nodeName: 'px2' }] });
    await eventually(() => web()?.clusterEndpoints.length === 1, 5000, 'the endpoint removed');
    assert.ok(Date.now() - changed < 1000, `applied in ${Date.now() - changed} ms`);
  });

  test('a failed sync is retried', async () => {
    const n = backend.tables.length;
    backend.failNext = 2;
    await admin.resource<Svc>(refs.services).create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'retry', namespace: 'default' }, spec: { ports: [{ port: 81 }] } }, 'default');
    await eventually(() => backend.latest?.services.some((s) => s.id === 'default/retry:'), 5000, 'the Service after two failures');
    assert.ok(backend.tables.length > n);
    assert.equal(backend.failNext, 0);
  });

  test('metrics are kube-proxy\'s', async () => {
    const text = await registry.metrics();
    for (const m of ['kubeproxy_sync_proxy_rules_duration_seconds_count', 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', 'kubeproxy_network_programming_duration_seconds_count', 'kubeproxy_sync_proxy_rules_service_changes_total']) {
      const line = text.split('\n').find((l) => l.startsWith(m));
      assert.ok(line, `${m} exported`);
      assert.ok(Number(line.split(' ').at(-1)) > 0, `${m} counted: ${line}`);
    }
  });

  test('stop closes the backend', async () => {
    await proxy.stop();
    assert.equal(backend.closed, true);
  });
});
