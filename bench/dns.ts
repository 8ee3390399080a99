/**
 * DNS queries/s of the cluster DNS server over UDP on loopback, 1000 services in the view,
 * with `concurrency` queries in flight from one client socket (prints figures only).
 */
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { DnsServer } from '../src/dns/server.ts';
import { memoryView, type Svc } from '../src/dns/view.ts';
import { silentLogger } from '../src/util/log.ts';

export interface DnsFigures { queries: number; seconds: number; perSecond: number }

export async function benchDns(opts: { seconds?: number; concurrency?: number } = {}): Promise<DnsFigures> {
  const services: Svc[] = Array.from({ length: 1000 }, (_, i) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: 'bench' },
    spec: { clusterIP: `10.43.${i >> 8}.${i & 255}`, ports: [{ name: 'http', port: 80 }] },
  }));
  const server = new DnsServer(memoryView({ services }), { domain: 'cluster.local' }, { host: '127.0.0.1', port: 0, logger: silentLogger, statsIntervalMs: 0 });
  const port = await server.listen();
  const sock = createSocket('udp4');
  const seconds = opts.seconds ?? 5;
  const end = performance.now() + seconds * 1000;
  let done = 0;
  let id = 0;
  const send = () => {
    const q = dnsPacket.encode({ type: 'query', id: ++id & 0xffff, questions: [{ type: 'A', name: `svc-${id % 1000}.bench.svc.cluster.local` }] });
    sock.send(q, port, '127.0.0.1');
  };
  const started = performance.now();
  await new Promise<void>((resolve) => {
    sock.on('message', () => {
      done++;
      if (performance.now() < end) send();
      else if (done >= id) resolve();
    });
    for (let i = 0; i < (opts.concurrency ?? 32); i++) send();
    // Lost datagrams would stall the loop: stop at the deadline regardless.
    setTimeout(resolve, seconds * 1000 + 1000).unref();
  });
  const elapsed = (performance.now() - started) / 1000;
  sock.close();
  await server.close();
  return { queries: done, seconds: elapsed, perSecond: Math.round(done / elapsed) };
}

export function printDnsFigures(f: DnsFigures): void {
  console.log('## Cluster DNS\n\n| figure | value |\n|---|---|');
  console.log(`| A queries/s (UDP, loopback, 1000 services, 32 in flight) | ${f.perSecond} |`);
  console.log(`| queries answered | ${f.queries} in ${f.seconds.toFixed(1)} s |\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) printDnsFigures(await benchDns());
