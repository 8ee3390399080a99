/**
 * @module Cluster DNS queries/s against a running `skiff server` (issue 5): the server's own
 * informer-fed DNS on a free UDP port on loopback, 200 Services created through the API, and
 * a dns-packet UDP client in a separate process keeping `concurrency` A queries for those
 * service names in flight for `seconds`. Complements `dns.ts` (the DNS server alone, in the
 * bench process, over a static view). Prints figures only.
 *
 *   node --import tsx bench/dns-cluster.ts   (BENCH_NET_SECONDS, default 5; BENCH_NET_CONCURRENCY, default 32)
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import dnsPacket from 'dns-packet';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/api/object.ts';
import { refs } from '../src/client/refs.ts';
import { Client } from '../src/client/rest.ts';
import { startCluster } from '../test/support/server.ts';
import { until } from './cluster.ts';

interface ClientOptions { port: number; names: string[]; concurrency: number; seconds: number }
export interface DnsClusterFigures { services: number; concurrency: number; answered: number; noAnswer: number; seconds: number; perSecond: number }

const admin = { username: 'bench-admin', groups: ['system:masters', 'system:authenticated'] };
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The client half (its own process): closed loop of A queries, counts answers with an A record. */
async function queryLoop(o: ClientOptions): Promise<{ answered: number; noAnswer: number; seconds: number }> {
  const sock = createSocket('udp4');
  let id = 0;
  let answered = 0;
  let noAnswer = 0;
  const end = performance.now() + o.seconds * 1000;
  const send = () => sock.send(dnsPacket.encode({ type: 'query', id: ++id & 0xffff, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: o.names[id % o.names.length]! }] }), o.port, '127.0.0.1');
  const started = performance.now();
  await new Promise<void>((done) => {
    sock.on('message', (m: Buffer) => {
      if (dnsPacket.decode(m).answers?.some((a) => a.type === 'A')) answered++;
      else noAnswer++;
      if (performance.now() < end) send();
      else if (answered + noAnswer >= id) done();
    });
    for (let i = 0; i < o.concurrency; i++) send();
    // A lost datagram would stall its slot: stop at the deadline regardless.
    setTimeout(done, o.seconds * 1000 + 1000).unref();
  });
  sock.close();
  return { answered, noAnswer, seconds: (performance.now() - started) / 1000 };
}

function runClient(o: ClientOptions): Promise<{ answered: number; noAnswer: number; seconds: number }> {
  return new Promise((resolve_, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(o)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve_(JSON.parse(out.trim()) as { answered: number; noAnswer: number; seconds: number }) : reject(new Error(`DNS client exited ${code}`))));
  });
}

export async function benchDnsCluster(opts: { services?: number; seconds?: number; concurrency?: number } = {}): Promise<DnsClusterFigures> {
  const services = opts.services ?? 200;
  const seconds = opts.seconds ?? Number(process.env.BENCH_NET_SECONDS ?? 5);
  const concurrency = opts.concurrency ?? Number(process.env.BENCH_NET_CONCURRENCY ?? 32);
  const c = await startCluster({ datastore: 'memory', server: { dnsPort: 0, ingressHttpPort: -1, ingressHttpsPort: -1 } });
  try {
    const port = c.server.dns.port;
    if (!port) throw new Error('the cluster DNS did not start');
    const svcs = new Client(c.server.transportFor(admin)).resource<Service & KubeObject>(refs.services);
    console.log(`dns-cluster: creating ${services} Services…`);
    for (let i = 0; i < services; i++) await svcs.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}` }, spec: { ports: [{ port: 80 }] } }, 'default');
    const names = Array.from({ length: services }, (_, i) => `svc-${i}.default.svc.cluster.local`);
    // The DNS view is fed by informers: wait until the last Service resolves.
    await until(async () => (await queryLoop({ port, names: [names.at(-1)!], concurrency: 1, seconds: 0 })).answered > 0, 30_000, 'the last Service resolves', 100);
    console.log(`dns-cluster: ${concurrency} A queries in flight for ${seconds} s…`);
    const r = await runClient({ port, names, concurrency, seconds });
    return { services, concurrency, ...r, perSecond: Math.round(r.answered / r.seconds) };
  } finally {
    await c.stop();
  }
}

export function printDnsClusterFigures(f: DnsClusterFigures): void {
  console.log('## Cluster DNS in a running server\n\n| figure | value |\n|---|---|');
  console.log(`| A queries/s answered (UDP, loopback, ${f.services} Services from informers, ${f.concurrency} in flight, client in its own process) | ${f.perSecond} |`);
  console.log(`| answered / without an A record | ${f.answered} / ${f.noAnswer} in ${f.seconds.toFixed(1)} s |\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2]) process.stdout.write(`${JSON.stringify(await queryLoop(JSON.parse(process.argv[2]) as ClientOptions))}\n`);
  else printDnsClusterFigures(await benchDnsCluster());
}
