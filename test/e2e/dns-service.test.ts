/**
 * Acceptance: cluster DNS reachable as a Service. A real `skiff server` with DNS on a free port
 * ensures `kube-system/kube-dns` at `--cluster-dns` (10.43.0.10), selector-less, with an
 * EndpointSlice and Endpoints naming the DNS server's real address and port; a DNS query
 * (dns-packet over UDP) to that address answers for kubernetes.default.svc.cluster.local.
 * A restart keeps one Service and re-points the endpoints at the new port.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

// dns-packet decodes the rcode; its type declarations omit it.
type Reply = dnsPacket.DecodedPacket & { rcode?: string };

function queryA(host: string, port: number, name: string): Promise<Reply> {
  const sock = createSocket('udp4');
  return new Promise<Reply>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no DNS answer')), 3000);
    sock.once('message', (m) => {
      clearTimeout(timer);
      resolve(dnsPacket.decode(m));
    });
    sock.send(dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, host);
  }).finally(() => sock.close());
}

describe('cluster DNS as a Service', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster({ datastore: 'sqlite', server: { dnsPort: 0 } });
  });
  after(async () => {
    await cluster?.stop();
  });

  const slice = async (): Promise<EndpointSlice> => JSON.parse(await cluster.kubectl.ok(['-n', 'kube-system', 'get', 'endpointslice', 'kube-dns', '-o', 'json']));

  it('shows kube-dns at the cluster DNS address, pointing at the real DNS port', async () => {
    const out = await cluster.kubectl.ok(['-n', 'kube-system', 'get', 'svc', 'kube-dns']);
    assert.match(out, /^kube-dns\s+ClusterIP\s+10\.43\.0\.10\s+<none>\s+53\/UDP,53\/TCP\s+/m);
    const svc = JSON.parse(await cluster.kubectl.ok(['-n', 'kube-system', 'get', 'svc', 'kube-dns', '-o', 'json']));
    assert.deepEqual(svc.metadata.labels['k8s-app'], 'kube-dns');
    assert.deepEqual(svc.metadata.labels['kubernetes.io/name'], 'CoreDNS');
    assert.equal(svc.spec.selector, undefined);

    const port = cluster.server.dns.port!;
    assert.ok(port > 0);
    const s = await slice();
    assert.deepEqual(s.endpoints.map((e) => e.addresses), [['127.0.0.1']]);
    assert.deepEqual(s.ports?.map((p) => [p.name, p.protocol, p.port]).sort(), [['dns', 'UDP', port], ['dns-tcp', 'TCP', port]]);
    assert.equal(s.metadata?.labels?.['kubernetes.io/service-name'], 'kube-dns');
    assert.ok(s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by']);
    const ep: Endpoints = JSON.parse(await cluster.kubectl.ok(['-n', 'kube-system', 'get', 'endpoints', 'kube-dns', '-o', 'json']));
    assert.equal(ep.subsets?.[0]?.addresses?.[0]?.ip, '127.0.0.1');
    assert.ok(ep.subsets?.[0]?.ports?.every((p) => p.port === port));
  });

  it('answers a query sent to the address and port the EndpointSlice names', async () => {
    const s = await slice();
    const reply = await queryA(s.endpoints[0]!.addresses[0]!, s.ports![0]!.port!, 'kubernetes.default.svc.cluster.local');
    assert.equal(reply.rcode, 'NOERROR');
    const a = reply.answers?.find((r) => r.type === 'A');
    assert.equal(a?.type === 'A' ? a.data : undefined, '10.43.0.1');
  });

  it('re-points the endpoints at the new port after a restart', async () => {
    const before = cluster.server.dns.port!;
    await cluster.stopServer();
    await cluster.restart();
    const after = cluster.server.dns.port!;
    const s = await slice();
    assert.ok(s.ports?.every((p) => p.port === after), `slice follows ${before} → ${after}`);
    const svcs = await cluster.kubectl.ok(['-n', 'kube-system', 'get', 'svc', '-l', 'k8s-app=kube-dns', '-o', 'name']);
    assert.equal(svcs.trim(), 'service/kube-dns');
  });
});
