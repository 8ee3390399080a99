import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointConditions } from 'kubernetes-types/discovery/v1.js';
import { computeTable, type ProxyNode, type ProxyService, type ProxySlice } from './desired.ts';

const node: ProxyNode = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1' },
  status: { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'ExternalIP', address: '192.0.2.9' }, { type: 'InternalIP', address: '10.0.0.1' }] },
};

function svc(name: string, spec: ProxyService['spec'], status?: ProxyService['status']): ProxyService {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'demo' }, spec: { clusterIP: '10.43.0.10', ports: [{ name: 'http', port: 80 }], ...spec }, ...(status ? { status } : {}) };
}

interface Ep { ip: string; node?: string; c?: EndpointConditions }
function slice(name: string, service: string, eps: Ep[], ports = [{ name: 'http', port: 8080 }], addressType = 'IPv4'): ProxySlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'demo', labels: { 'kubernetes.io/service-name': service } },
    addressType,
    ports,
    endpoints: eps.map((e) => ({ addresses: [e.ip], ...(e.node ? { nodeName: e.node } : {}), ...(e.c ? { conditions: e.c } : {}) })),
  };
}

const ips = (eps: { ip: string }[]) => eps.map((e) => e.ip);

test('skips headless, ExternalName and address-less Services', () => {
  const t = computeTable('n1', node, [svc('a', { clusterIP: 'None' }), svc('b', { type: 'ExternalName', externalName: 'x.example', clusterIP: '' }), svc('c', { clusterIP: undefined }), svc('d', {})], []);
  assert.deepEqual(t.services.map((s) => s.id), ['demo/d:http']);
});

test('node addresses: InternalIP then ExternalIP, no hostnames', () => {
  assert.deepEqual(computeTable('n1', node, [], []).nodeIPs, ['10.0.0.1', '192.0.2.9']);
  assert.deepEqual(computeTable('n1', undefined, [], []).nodeIPs, []);
});

test("the node's pod-network address is the first host of its podCIDR, once it has one", () => {
  assert.equal(computeTable('n1', node, [], []).podGateway, undefined);
  assert.equal(computeTable('n1', { ...node, spec: { podCIDR: '10.42.3.0/24' } }, [], []).podGateway, '10.42.3.1');
  assert.equal(computeTable('n1', { ...node, spec: { podCIDR: 'fd00::/64', podCIDRs: ['fd00::/64', '10.42.4.0/24'] } }, [], []).podGateway, '10.42.4.1');
});

test('ports are matched by name and protocol; endpoints dedup across slices, sorted', () => {
  const s = svc('web', { ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] });
  const t = computeTable('n1', node, [s], [
    slice('web-1', 'web', [{ ip: '10.42.0.9' }, { ip: '10.42.0.3' }], [{ name: 'http', port: 8080 }, { name: 'dns', port: 5353, protocol: 'UDP' } as never]),
    slice('web-2', 'web', [{ ip: '10.42.0.3', node: 'n1' }, { ip: '10.42.0.20' }], [{ name: 'http', port: 8080 }]),
    // Another service's slice and an IPv6 slice are ignored.
    slice('other-1', 'other', [{ ip: '10.42.0.77' }]),
    { ...slice('web-3', 'web', [{ ip: 'fd00::1' }], [{ name: 'http', port: 8080 }], 'IPv6') },
  ]);
  const http = t.services.find((p) => p.portName === 'http')!;
  const dns = t.services.find((p) => p.portName === 'dns')!;
  assert.deepEqual(ips(http.clusterEndpoints), ['10.42.0.3', '10.42.0.9', '10.42.0.20']);
  assert.equal(http.clusterEndpoints[0]!.local, true, 'the local copy of a duplicate wins');
  assert.deepEqual(http.clusterEndpoints.map((e) => e.port), [8080, 8080, 8080]);
  assert.equal(dns.protocol, 'UDP');
  assert.deepEqual(dns.clusterEndpoints.map((e) => `${e.ip}:${e.port}`), ['10.42.0.3:5353', '10.42.0.9:5353']);
  assert.deepEqual(http.clusterIPs, ['10.43.0.10']);
  assert.deepEqual(http.externalEndpoints, [], 'a ClusterIP Service has no external traffic');
});

test('an unnamed port matches only an unnamed slice port', () => {
  const t = computeTable('n1', node, [svc('x', { ports: [{ port: 80 }] })], [slice('x-1', 'x', [{ ip: '10.42.0.1' }], [{ name: 'http', port: 1 }]), slice('x-2', 'x', [{ ip: '10.42.0.2' }], [{ port: 2 } as never])]);
  assert.equal(t.services[0]!.id, 'demo/x:');
  assert.deepEqual(t.services[0]!.clusterEndpoints.map((e) => `${e.ip}:${e.port}`), ['10.42.0.2:2']);
});

test('ready endpoints only; serving+terminating fallback when none is ready', () => {
  const eps: Ep[] = [
    { ip: '10.42.0.1', c: { ready: true } },
    { ip: '10.42.0.2', c: { ready: false, serving: true, terminating: true } },
    { ip: '10.42.0.3', c: { ready: false, serving: false, terminating: false } },
    { ip: '10.42.0.4' }, // no conditions: ready
  ];
  let t = computeTable('n1', node, [svc('w', {})], [slice('w-1', 'w', eps)]);
  assert.deepEqual(ips(t.services[0]!.clusterEndpoints), ['10.42.0.1', '10.42.0.4']);
  t = computeTable('n1', node, [svc('w', {})], [slice('w-1', 'w', eps.slice(1, 3))]);
  assert.deepEqual(ips(t.services[0]!.clusterEndpoints), ['10.42.0.2']);
  t = computeTable('n1', node, [svc('w', {})], [slice('w-1', 'w', [eps[2]!, { ip: '10.42.0.5', c: { ready: false, serving: false, terminating: true } }])]);
  assert.deepEqual(t.services[0]!.clusterEndpoints, []);
});

test('internalTrafficPolicy Local: only local endpoints, never remote ones', () => {
  const s = svc('w', { internalTrafficPolicy: 'Local' });
  let t = computeTable('n1', node, [s], [slice('w-1', 'w', [{ ip: '10.42.0.1', node: 'n1' }, { ip: '10.42.1.1', node: 'n2' }])]);
  assert.deepEqual(ips(t.services[0]!.clusterEndpoints), ['10.42.0.1']);
  assert.equal(t.services[0]!.internalPolicyLocal, true);
  t = computeTable('n1', node, [s], [slice('w-1', 'w', [{ ip: '10.42.1.1', node: 'n2' }])]);
  assert.deepEqual(t.services[0]!.clusterEndpoints, []);
  // Local fallback to a local serving+terminating endpoint, not to a remote ready one.
  t = computeTable('n1', node, [s], [slice('w-1', 'w', [{ ip: '10.42.1.1', node: 'n2' }, { ip: '10.42.0.7', node: 'n1', c: { ready: false, serving: true, terminating: true } }])]);
  assert.deepEqual(ips(t.services[0]!.clusterEndpoints), ['10.42.0.7']);
});

test('NodePort with externalTrafficPolicy Local and Cluster', () => {
  const eps = [slice('w-1', 'w', [{ ip: '10.42.0.1', node: 'n1' }, { ip: '10.42.1.1', node: 'n2' }])];
  const local = computeTable('n1', node, [svc('w', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })], eps).services[0]!;
  assert.equal(local.nodePort, 30080);
  assert.equal(local.externalPolicyLocal, true);
  assert.deepEqual(ips(local.externalEndpoints), ['10.42.0.1']);
  assert.deepEqual(ips(local.clusterEndpoints), ['10.42.0.1', '10.42.1.1'], 'ClusterIP traffic still goes everywhere');
  const cluster = computeTable('n1', node, [svc('w', { type: 'NodePort', externalTrafficPolicy: 'Cluster', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })], eps).services[0]!;
  assert.equal(cluster.externalPolicyLocal, false);
  assert.deepEqual(ips(cluster.externalEndpoints), ['10.42.0.1', '10.42.1.1']);
  // A nodePort left on a ClusterIP Service is not served.
  const plain = computeTable('n1', node, [svc('w', { ports: [{ name: 'http', port: 80, nodePort: 30080 }], externalTrafficPolicy: 'Local' })], eps).services[0]!;
  assert.equal(plain.nodePort, undefined);
  assert.equal(plain.externalPolicyLocal, false, 'Local only applies to externally reachable Services');
});

test('externalIPs, LoadBalancer ingress IPs (not ipMode Proxy, not hostnames)', () => {
  const s = svc(
    'lb',
    { type: 'LoadBalancer', externalIPs: ['192.0.2.50'], ports: [{ name: 'http', port: 80, nodePort: 31000 }] },
    { loadBalancer: { ingress: [{ ip: '192.0.2.100' }, { hostname: 'lb.example' }, { ip: '192.0.2.101', ipMode: 'Proxy' }] } },
  );
  const p = computeTable('n1', node, [s], [slice('lb-1', 'lb', [{ ip: '10.42.0.1' }])]).services[0]!;
  assert.deepEqual(p.externalIPs, ['192.0.2.50']);
  assert.deepEqual(p.loadBalancerIPs, ['192.0.2.100']);
  assert.equal(p.nodePort, 31000);
  assert.deepEqual(ips(p.externalEndpoints), ['10.42.0.1']);
  // Only a LoadBalancer Service's status counts.
  const c = computeTable('n1', node, [{ ...s, spec: { ...s.spec, type: 'ClusterIP' } }], []).services[0]!;
  assert.deepEqual(c.loadBalancerIPs, []);
});

test('sessionAffinity ClientIP with the default and an explicit timeout', () => {
  const t = computeTable('n1', node, [svc('a', { sessionAffinity: 'ClientIP' }), svc('b', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }), svc('c', { sessionAffinity: 'None' })], []);
  assert.deepEqual(t.services.map((s) => s.sessionAffinity), [{ timeoutSeconds: 10800 }, { timeoutSeconds: 60 }, undefined]);
});

test('is deterministic and sorted by id', () => {
  const a = [svc('b', {}), svc('a', {})];
  assert.deepEqual(computeTable('n1', node, a, []).services.map((s) => s.id), ['demo/a:http', 'demo/b:http']);
  assert.deepEqual(computeTable('n1', node, a, []), computeTable('n1', node, [...a].reverse(), []));
});
