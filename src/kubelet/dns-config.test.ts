import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podDnsConfig } from './dns-config.ts';

const host = 'nameserver 192.168.1.1\nsearch corp.example\noptions edns0\n';
const s = { clusterDNS: ['10.43.0.10'], clusterDomain: 'cluster.local', hostResolvConf: host };
const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({ metadata: { name: 'p', namespace: 'demo' }, spec: { containers: [], ...spec } });

test('ClusterFirst (the default) points at the cluster DNS with the namespace search path', () => {
  assert.deepEqual(podDnsConfig(pod(), s), {
    servers: ['10.43.0.10'], searches: ['demo.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'],
  });
  assert.equal(podDnsConfig(pod({ hostNetwork: true }), s), undefined, 'hostNetwork falls back to the host');
  assert.deepEqual(podDnsConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), s)?.servers, ['10.43.0.10']);
  assert.equal(podDnsConfig(pod(), { ...s, clusterDNS: [] }), undefined, 'no cluster DNS configured: the host file');
});

test('Default is the host file, None is dnsConfig only, dnsConfig is merged', () => {
  assert.equal(podDnsConfig(pod({ dnsPolicy: 'Default' }), s), undefined);
  assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'Default', dnsConfig: { searches: ['x.example'] } }), s), {
    servers: ['192.168.1.1'], searches: ['corp.example', 'x.example'], options: ['edns0'],
  });
  assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], options: [{ name: 'ndots', value: '2' }] } }), s), {
    servers: ['1.2.3.4'], searches: [], options: ['ndots:2'],
  });
  assert.deepEqual(podDnsConfig(pod({ dnsConfig: { nameservers: ['10.43.0.10', '9.9.9.9'], searches: ['cluster.local', 'a.b'], options: [{ name: 'ndots', value: '1' }, { name: 'rotate' }] } }), s), {
    servers: ['10.43.0.10', '9.9.9.9'], searches: ['demo.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'a.b'], options: ['ndots:1', 'rotate'],
  });
});
