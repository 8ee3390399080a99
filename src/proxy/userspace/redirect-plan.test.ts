import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProxyServicePort } from '../model.ts';
import { interfaceIPv4, localAddresses, planRedirects } from './redirect-plan.ts';

const sp = (over: Partial<ProxyServicePort>): ProxyServicePort => ({
  id: 'demo/web:http', namespace: 'demo', name: 'web', portName: 'http', protocol: 'TCP', clusterIPs: ['10.43.0.20'], port: 80,
  externalIPs: [], loadBalancerIPs: [], externalPolicyLocal: false, internalPolicyLocal: false, clusterEndpoints: [], externalEndpoints: [], ...over,
});
const notLocal = (ip: string) => ip.startsWith('127.');

describe('redirect listener planning', () => {
  it('plans one listener per TCP/UDP ClusterIP port the host does not own', () => {
    const plan = planRedirects([
      sp({}),
      sp({ id: 'demo/web:https', portName: 'https', port: 443 }),
      sp({ id: 'kube-system/kube-dns:dns', namespace: 'kube-system', name: 'kube-dns', portName: 'dns', protocol: 'UDP', clusterIPs: ['10.43.0.10'], port: 53 }),
      sp({ id: 'kube-system/kube-dns:dns-tcp', namespace: 'kube-system', name: 'kube-dns', portName: 'dns-tcp', protocol: 'TCP', clusterIPs: ['10.43.0.10'], port: 53 }),
    ], notLocal);
    assert.deepEqual(plan.map((w) => [w.key, w.balancerKey, w.service]), [
      ['TCP|10.43.0.20|80', 'demo/web:http|cluster', 'demo/web:http'],
      ['TCP|10.43.0.20|443', 'demo/web:https|cluster', 'demo/web:https'],
      ['UDP|10.43.0.10|53', 'kube-system/kube-dns:dns|cluster', 'kube-system/kube-dns:dns'],
      ['TCP|10.43.0.10|53', 'kube-system/kube-dns:dns-tcp|cluster', 'kube-system/kube-dns:dns-tcp'],
    ]);
  });

  it('leaves out local ClusterIPs, SCTP, IPv6, and headless ports; the first claim of a port wins', () => {
    const plan = planRedirects([
      sp({ clusterIPs: ['127.43.0.20'] }),
      sp({ id: 'demo/sctp:x', protocol: 'SCTP' }),
      sp({ id: 'demo/v6:x', clusterIPs: ['fd00:43::20'] }),
      sp({ id: 'demo/headless:x', clusterIPs: [] }),
      sp({ id: 'demo/a:x', clusterIPs: ['10.43.0.30'] }),
      sp({ id: 'demo/b:x', clusterIPs: ['10.43.0.30'] }),
    ], notLocal);
    assert.deepEqual(plan.map((w) => [w.key, w.balancerKey]), [['TCP|10.43.0.30|80', 'demo/a:x|cluster']]);
  });

  it('knows loopback and interface addresses as local', () => {
    const isLocalAddress = localAddresses();
    assert.equal(isLocalAddress('127.43.0.10'), true);
    assert.equal(isLocalAddress('127.0.0.1'), true);
    assert.equal(isLocalAddress('192.0.2.123'), false);
    assert.equal(interfaceIPv4('lo'), '127.0.0.1');
    assert.equal(interfaceIPv4('no-such-if0'), undefined);
  });
});
