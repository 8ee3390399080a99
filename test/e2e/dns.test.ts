/**
 * Acceptance: cluster DNS in a real `skiff server` (`--sim-nodes 2`, DNS on a free loopback
 * port), queried with Node's resolver (c-ares) like any stub resolver: a ClusterIP Service's A
 * and SRV records, a headless Service backing a StatefulSet (its ready pod IPs, `db-0.db.demo…`
 * via hostname/subdomain), PTR for service and pod IPs, ExternalName as CNAME, NXDOMAIN for a
 * missing name, REFUSED outside the zone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../src/api/object.ts';
import { refs } from '../../src/client/refs.ts';
import { Client } from '../../src/client/rest.ts';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

type P = Pod & KubeObject;

const manifest = `
apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec:
  clusterIP: 10.43.200.50
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: demo}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{name: pg, port: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: demo}
spec: {type: ExternalName, externalName: db.example.com}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: demo}
spec:
  serviceName: db
  replicas: 2
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: pg, image: postgres:16, ports: [{name: pg, containerPort: 5432}]}]
`;

describe('cluster DNS', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  let client: Client;
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  let pods: P[] = [];

  before(async () => {
    c = await startCluster({ datastore: 'memory', simNodes: 2, server: { dnsPort: 0 } });
    assert.ok(c.server.dns.port, 'the DNS server listens');
    resolver.setServers([`127.0.0.1:${c.server.dns.port}`]);
    client = new Client(c.server.transportFor({ username: 'test-admin', groups: ['system:masters', 'system:authenticated'] }));
    await c.kubectl.ok(['apply', '-f', '-'], { input: manifest });
    pods = await eventually(async () => {
      const list = (await client.resource<P>(refs.pods).list({ namespace: 'demo', labelSelector: 'app=db' })).items;
      const ready = list.filter((p) => p.status?.podIP && p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
      return ready.length === 2 && ready.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
    }, 30_000, 'two Ready db pods with IPs');
    // The EndpointSlice controller may not be part of this build yet: publish the slice the
    // way it would (hostnames from the pods' hostname/subdomain) when none appears.
    const slices = client.resource<EndpointSlice & KubeObject>(refs.endpointslices);
    const found = await eventually(async () => (await slices.list({ namespace: 'demo', labelSelector: 'kubernetes.io/service-name=db' })).items.length > 0, 3000, 'db EndpointSlice').catch(() => false);
    if (!found)
      await slices.create({
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
        metadata: { name: 'db-manual', namespace: 'demo', labels: { 'kubernetes.io/service-name': 'db' } },
        ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
        endpoints: pods.map((p) => ({ addresses: [p.status!.podIP!], hostname: p.spec?.hostname, conditions: { ready: true }, targetRef: { kind: 'Pod', namespace: 'demo', name: p.metadata!.name! } })),
      }, 'demo');
  });
  after(async () => {
    await c?.stop();
  });

  it('answers A and SRV for a ClusterIP service', async () => {
    const svc = JSON.parse(await c.kubectl.ok(['get', 'svc', 'web', '-n', 'demo', '-o', 'json'])) as { spec: { clusterIP: string } };
    assert.equal(svc.spec.clusterIP, '10.43.200.50');
    assert.deepEqual(await eventually(() => resolver.resolve4('web.demo.svc.cluster.local').catch(() => undefined), 5000, 'web A'), ['10.43.200.50']);
    assert.deepEqual(await resolver.resolveSrv('_http._tcp.web.demo.svc.cluster.local'), [{ name: 'web.demo.svc.cluster.local', port: 80, priority: 0, weight: 0 }]);
    assert.deepEqual(await resolver.reverse('10.43.200.50'), ['web.demo.svc.cluster.local']);
  });

  it('answers the ready pod IPs of a headless service and each StatefulSet pod by name', async () => {
    const ips = pods.map((p) => p.status!.podIP!).sort();
    assert.deepEqual(await eventually(async () => {
      const got = (await resolver.resolve4('db.demo.svc.cluster.local').catch(() => [])).sort();
      return got.length === 2 && got;
    }, 5000, 'headless A'), ips);
    assert.deepEqual(await resolver.resolve4('db-0.db.demo.svc.cluster.local'), [pods[0]!.status!.podIP]);
    assert.deepEqual(await resolver.resolve4('db-1.db.demo.svc.cluster.local'), [pods[1]!.status!.podIP]);
    const srv = (await resolver.resolveSrv('_pg._tcp.db.demo.svc.cluster.local')).map((r) => `${r.name}:${r.port}`).sort();
    assert.deepEqual(srv, ['db-0.db.demo.svc.cluster.local:5432', 'db-1.db.demo.svc.cluster.local:5432']);
    assert.deepEqual(await resolver.reverse(pods[0]!.status!.podIP!), ['db-0.db.demo.svc.cluster.local']);
  });

  it('answers ExternalName with a CNAME, a missing name with NXDOMAIN, other zones with REFUSED', async () => {
    assert.deepEqual(await eventually(() => resolver.resolveCname('ext.demo.svc.cluster.local').catch(() => undefined), 5000, 'ext CNAME'), ['db.example.com']);
    await assert.rejects(resolver.resolve4('nope.demo.svc.cluster.local'), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolve4('web.nowhere.svc.cluster.local'), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolve4('example.com'), { code: 'EREFUSED' });
  });

  it('follows changes: a deleted service disappears from DNS', async () => {
    await c.kubectl.ok(['delete', 'svc', 'web', '-n', 'demo']);
    await eventually(() => resolver.resolve4('web.demo.svc.cluster.local').then(() => false, (e: { code?: string }) => e.code === 'ENOTFOUND'), 5000, 'web NXDOMAIN');
  });
});
