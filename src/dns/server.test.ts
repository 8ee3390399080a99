import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import dnsPacket, { type DecodedPacket } from 'dns-packet';
import { silentLogger } from '../util/log.ts';
import { DnsServer } from './server.ts';
import { memoryView, type Slice, type Svc } from './view.ts';

// 60 endpoints: the A answer (~1 KB) no longer fits a plain 512-byte UDP reply.
const many: Slice = {
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
  metadata: { name: 'big-1', namespace: 'demo', labels: { 'kubernetes.io/service-name': 'big' } },
  endpoints: Array.from({ length: 60 }, (_, i) => ({ addresses: [`10.42.9.${i + 1}`], conditions: { ready: true } })),
};
const svc = (name: string, spec: Svc['spec']): Svc => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'demo' }, spec });
const view = memoryView({
  namespaces: ['demo'],
  services: [
    svc('web', { clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
    svc('big', { clusterIP: 'None' }),
    svc('ext', { type: 'ExternalName', externalName: 'example.com' }),
  ],
  slices: [many],
});

// dns-packet decodes the rcode, its type declarations omit it.
const rcodeOf = (p: DecodedPacket) => (p as DecodedPacket & { rcode: string }).rcode;

let server: DnsServer;
let resolver: Resolver;
before(async () => {
  server = new DnsServer(view, { domain: 'cluster.local' }, { host: '127.0.0.1', port: 0, logger: silentLogger, statsIntervalMs: 0 });
  const port = await server.listen();
  resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
});
after(() => server.close());

test('answers A, SRV, PTR and CNAME over UDP to the system resolver library', async () => {
  assert.deepEqual(await resolver.resolve4('web.demo.svc.cluster.local'), ['10.43.0.20']);
  assert.deepEqual(await resolver.resolveSrv('_http._tcp.web.demo.svc.cluster.local'), [{ name: 'web.demo.svc.cluster.local', port: 80, priority: 0, weight: 0 }]);
  assert.deepEqual(await resolver.reverse('10.43.0.20'), ['web.demo.svc.cluster.local']);
  assert.deepEqual(await resolver.resolveCname('ext.demo.svc.cluster.local'), ['example.com']);
  await assert.rejects(resolver.resolve4('nope.demo.svc.cluster.local'), { code: 'ENOTFOUND' });
  await assert.rejects(resolver.resolve6('web.demo.svc.cluster.local'), { code: 'ENODATA' });
  await assert.rejects(resolver.resolve4('example.org'), { code: 'EREFUSED' });
  const s = server.stats();
  assert.ok(s.queries >= 7);
  assert.ok((s.byRcode.NXDOMAIN ?? 0) >= 1 && (s.byRcode.REFUSED ?? 0) >= 1);
});

test('a reply too big for UDP is truncated and the resolver gets it all over TCP', async () => {
  const ips = await resolver.resolve4('big.demo.svc.cluster.local');
  assert.equal(ips.length, 60);
  assert.ok(server.stats().truncated >= 1);
});

test('TCP carries several length-prefixed queries on one connection', async () => {
  const sock = connect(server.port, '127.0.0.1');
  const frame = (id: number, name: string) => {
    const m = dnsPacket.encode({ type: 'query', id, questions: [{ type: 'A', name }] });
    const h = Buffer.alloc(2);
    h.writeUInt16BE(m.length);
    return Buffer.concat([h, m]);
  };
  const replies: DecodedPacket[] = [];
  let buf: Buffer = Buffer.alloc(0);
  const done = new Promise<void>((resolve, reject) => {
    sock.on('error', reject);
    sock.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (replies.length === 2) resolve();
    });
  });
  // Both frames in one write: the server must split them.
  sock.write(Buffer.concat([frame(1, 'web.demo.svc.cluster.local'), frame(2, 'nope.demo.svc.cluster.local')]));
  await done;
  sock.destroy();
  assert.deepEqual(replies.map((r) => [r.id, rcodeOf(r), r.flag_aa, r.answers?.length]), [[1, 'NOERROR', true, 1], [2, 'NXDOMAIN', true, 0]]);
});

test('garbage gets FORMERR or nothing, and the server keeps answering', async () => {
  const sock = createSocket('udp4');
  const reply = new Promise<Buffer>((r) => sock.once('message', r));
  // A valid header claiming one question, followed by nothing.
  sock.send(Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xff]), server.port, '127.0.0.1');
  sock.send(Buffer.from([1, 2, 3]), server.port, '127.0.0.1');
  const got = dnsPacket.decode(await reply);
  sock.close();
  assert.equal(got.id, 0x1234);
  assert.equal(rcodeOf(got), 'FORMERR');
  assert.deepEqual(await resolver.resolve4('web.demo.svc.cluster.local'), ['10.43.0.20']);
});
