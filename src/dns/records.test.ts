import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolve } from './records.ts';
import { reverseName, ipFromReverse } from './names.ts';
import { memoryView, type PodObj, type Slice, type Svc } from './view.ts';

const svc = (name: string, spec: Svc['spec'], ns = 'demo'): Svc => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec });
const slice = (svcName: string, endpoints: Slice['endpoints'], ports: Slice['ports']): Slice => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
  metadata: { name: `${svcName}-abc`, namespace: 'demo', labels: { 'kubernetes.io/service-name': svcName } }, endpoints, ports,
});
const pod = (name: string, ip: string, ready: boolean, spec: Partial<NonNullable<PodObj['spec']>>): PodObj => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'demo' }, spec: { containers: [], ...spec },
  status: { podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

const view = memoryView({
  namespaces: ['demo', 'empty'],
  services: [
    svc('web', { clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
    svc('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
    svc('ext', { type: 'ExternalName', externalName: 'example.com' }),
    svc('alias', { type: 'ExternalName', externalName: 'web.demo.svc.cluster.local' }),
    svc('pending', { ports: [{ port: 80 }] }),
  ],
  slices: [slice('db', [
    { addresses: ['10.42.1.5'], hostname: 'db-0', conditions: { ready: true } },
    { addresses: ['10.42.2.6'], conditions: { ready: true } },
    { addresses: ['10.42.2.7'], hostname: 'db-2', conditions: { ready: false } },
  ], [{ name: 'pg', port: 5432, protocol: 'TCP' }])],
  pods: [pod('db-1', '10.42.3.9', true, { hostname: 'db-1', subdomain: 'db' }), pod('db-9', '10.42.3.10', false, { hostname: 'db-9', subdomain: 'db' })],
});
const zone = { domain: 'cluster.local', serial: 7, dnsIP: '10.43.0.10' };
const q = (name: string, type: string) => resolve(view, name, type, zone);
const data = (r: ReturnType<typeof q>) => r.answers.map((a) => ('data' in a ? a.data : undefined));

test('a ClusterIP service answers A with its clusterIP, SRV per named port with the target address', () => {
  const a = q('web.demo.svc.cluster.local', 'A');
  assert.equal(a.rcode, 'NOERROR');
  assert.deepEqual(data(a), ['10.43.0.20']);
  assert.equal((a.answers[0] as { ttl?: number }).ttl, 5);
  const srv = q('_http._tcp.web.demo.svc.cluster.local', 'SRV');
  assert.deepEqual(data(srv), [{ priority: 0, weight: 0, port: 80, target: 'web.demo.svc.cluster.local' }]);
  assert.deepEqual(srv.additionals.map((r) => [r.type, 'data' in r && r.data]), [['A', '10.43.0.20']]);
  assert.deepEqual(data(q('_dns._udp.web.demo.svc.cluster.local', 'SRV')).map((d) => (d as { port: number }).port), [53]);
  assert.equal(q('_dns._tcp.web.demo.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN');
  assert.equal(q('WEB.Demo.svc.cluster.local.', 'A').answers.length, 1, 'names are case-insensitive');
});

test('a headless service answers its ready endpoints: slices, dashed IPs, and hostname/subdomain pods', () => {
  assert.deepEqual(data(q('db.demo.svc.cluster.local', 'A')).sort(), ['10.42.1.5', '10.42.2.6', '10.42.3.9']);
  assert.deepEqual(data(q('db-0.db.demo.svc.cluster.local', 'A')), ['10.42.1.5']);
  assert.deepEqual(data(q('10-42-2-6.db.demo.svc.cluster.local', 'A')), ['10.42.2.6']);
  assert.deepEqual(data(q('db-1.db.demo.svc.cluster.local', 'A')), ['10.42.3.9']);
  assert.equal(q('db-2.db.demo.svc.cluster.local', 'A').rcode, 'NXDOMAIN', 'not-ready endpoint');
  assert.equal(q('db-9.db.demo.svc.cluster.local', 'A').rcode, 'NXDOMAIN', 'not-ready pod');
  const srv = q('_pg._tcp.db.demo.svc.cluster.local', 'SRV');
  assert.deepEqual(data(srv).map((d) => (d as { target: string }).target).sort(), [
    'db-0.db.demo.svc.cluster.local', 'db-1.db.demo.svc.cluster.local', '10-42-2-6.db.demo.svc.cluster.local',
  ].sort());
  assert.equal(srv.additionals.length, 3);
});

test('ExternalName is a CNAME; one inside the zone is followed', () => {
  const r = q('ext.demo.svc.cluster.local', 'A');
  assert.deepEqual(r.answers.map((a) => [a.type, 'data' in a && a.data]), [['CNAME', 'example.com']]);
  const alias = q('alias.demo.svc.cluster.local', 'A');
  assert.deepEqual(alias.answers.map((a) => [a.type, 'data' in a && a.data]), [['CNAME', 'web.demo.svc.cluster.local'], ['A', '10.43.0.20']]);
});

test('PTR for service IPs and endpoint/pod IPs', () => {
  assert.deepEqual(data(q('20.0.43.10.in-addr.arpa', 'PTR')), ['web.demo.svc.cluster.local']);
  assert.deepEqual(data(q('5.1.42.10.in-addr.arpa', 'PTR')), ['db-0.db.demo.svc.cluster.local']);
  assert.deepEqual(data(q(reverseName('10.42.3.9'), 'PTR')), ['db-1.db.demo.svc.cluster.local']);
  const none = q('1.1.1.1.in-addr.arpa', 'PTR');
  assert.equal(none.rcode, 'NXDOMAIN');
  assert.equal(none.authorities[0]!.name, 'in-addr.arpa');
});

test('NXDOMAIN, NODATA and REFUSED, with SOA in authority for negatives', () => {
  for (const name of ['nope.demo.svc.cluster.local', 'missing.svc.cluster.local', 'x.y.cluster.local', 'a.b.web.demo.svc.cluster.local']) {
    const r = q(name, 'A');
    assert.equal(r.rcode, 'NXDOMAIN', name);
    assert.equal(r.authorities[0]!.type, 'SOA');
  }
  for (const [name, type] of [['web.demo.svc.cluster.local', 'AAAA'], ['empty.svc.cluster.local', 'A'], ['pending.demo.svc.cluster.local', 'A'], ['svc.cluster.local', 'A']]) {
    const r = q(name!, type!);
    assert.equal(r.rcode, 'NOERROR', name);
    assert.equal(r.answers.length, 0, name);
    assert.equal(r.authorities[0]!.type, 'SOA', name);
  }
  assert.equal(q('example.com', 'A').rcode, 'REFUSED');
  assert.equal(q('cluster.localx', 'A').rcode, 'REFUSED');
  assert.equal(q('example.com', 'A').authorities.length, 0);
});

test('the apex has SOA and NS, and the DNS spec version record', () => {
  assert.deepEqual(q('cluster.local', 'SOA').answers.map((a) => a.type), ['SOA']);
  assert.deepEqual(data(q('cluster.local', 'NS')), ['ns.dns.cluster.local']);
  assert.deepEqual(data(q('ns.dns.cluster.local', 'A')), ['10.43.0.10']);
  assert.deepEqual(data(q('dns-version.cluster.local', 'TXT')), [['1.1.0']]);
  const other = resolve(view, 'web.demo.svc.corp.internal', 'A', { domain: 'corp.internal' });
  assert.deepEqual(data(other), ['10.43.0.20'], 'the cluster domain is configurable');
});

test('reverse names round-trip for IPv4 and IPv6', () => {
  assert.equal(ipFromReverse(reverseName('10.42.0.5')), '10.42.0.5');
  assert.equal(ipFromReverse(reverseName('fd00::1')), 'fd00::1');
  assert.equal(ipFromReverse('0.42.10.in-addr.arpa'), undefined);
  assert.equal(ipFromReverse('x.0.42.10.in-addr.arpa'), undefined);
});
