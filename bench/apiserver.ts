/**
 * API server figures for one datastore: cold start to /readyz, idle RSS, ConfigMap creates/s
 * with 32 concurrent clients, p50/p99 create latency at a steady 100 writes/s, and
 * write-to-delivery latency across 1000 concurrent watchers.
 */
import { request } from 'node:https';
import { call, fmt, percentile, rssMb, startServer, type BenchServer } from './lib.ts';

export interface ApiserverFigures {
  datastore: string;
  startupMs: number;
  idleRssMb: number;
  createsPerSec: number;
  p50CreateMs: number;
  p99CreateMs: number;
  watchers: number;
  p50DeliveryMs: number;
  p99DeliveryMs: number;
}

const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } });

async function throughput(s: BenchServer, seconds: number, concurrency: number): Promise<number> {
  await call(s.url, s.agent, 'POST', '/api/v1/namespaces', { metadata: { name: 'tput' } });
  const end = performance.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const r = await call(s.url, s.agent, 'POST', '/api/v1/namespaces/tput/configmaps', cm(`w${w}-${i}`));
        if (r.status === 201) done++;
        else failed++;
      }
    }),
  );
  if (failed) process.stderr.write(`throughput: ${failed} failed creates\n`);
  return done / seconds;
}

async function steadyLatency(s: BenchServer, rate: number, seconds: number): Promise<number[]> {
  await call(s.url, s.agent, 'POST', '/api/v1/namespaces', { metadata: { name: 'lat' } });
  const lat: number[] = [];
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      (async () => {
        const t = performance.now();
        await call(s.url, s.agent, 'POST', '/api/v1/namespaces/lat/configmaps', cm(`l-${i}`));
        lat.push(performance.now() - t);
      })(),
    );
  }
  await Promise.all(pending);
  return lat;
}

async function watchLatency(s: BenchServer, watchers: number, writes: number): Promise<number[]> {
  await call(s.url, s.agent, 'POST', '/api/v1/namespaces', { metadata: { name: 'watched' } });
  const sentAt = new Map<string, number>();
  const deliveries: number[] = [];
  const reqs: ReturnType<typeof request>[] = [];
  let opened = 0;
  await new Promise<void>((allOpen) => {
    for (let w = 0; w < watchers; w++) {
      const req = request(`${s.url}/api/v1/namespaces/watched/configmaps?watch=true&resourceVersion=1`, { agent: s.agent }, (res) => {
        if (++opened === watchers) allOpen();
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          const now = performance.now();
          buf += d;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            const name = /"name":"(w-\d+)"/.exec(line)?.[1];
            const t = name ? sentAt.get(name) : undefined;
            if (t !== undefined && line.startsWith('{"type":"ADDED"')) deliveries.push(now - t);
          }
        });
      });
      req.on('error', () => {});
      req.end();
      reqs.push(req);
    }
  });
  for (let i = 0; i < writes; i++) {
    const name = `w-${i}`;
    sentAt.set(name, performance.now());
    await call(s.url, s.agent, 'POST', '/api/v1/namespaces/watched/configmaps', cm(name));
    await new Promise((r) => setTimeout(r, 20));
  }
  const deadline = performance.now() + 10_000;
  while (deliveries.length < watchers * writes && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const r of reqs) r.destroy();
  if (deliveries.length < watchers * writes) process.stderr.write(`watch: ${watchers * writes - deliveries.length} deliveries missing\n`);
  return deliveries;
}

export async function benchApiserver(datastore: string, opts = { seconds: 10, watchers: 1000 }): Promise<ApiserverFigures> {
  const s = await startServer(datastore, { maxSockets: opts.watchers + 64 });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const idleRssMb = await rssMb(s.pid);
    const createsPerSec = await throughput(s, opts.seconds, 32);
    const lat = await steadyLatency(s, 100, opts.seconds);
    const deliveries = await watchLatency(s, opts.watchers, 20);
    return {
      datastore,
      startupMs: s.startupMs,
      idleRssMb,
      createsPerSec,
      p50CreateMs: percentile(lat, 50),
      p99CreateMs: percentile(lat, 99),
      watchers: opts.watchers,
      p50DeliveryMs: percentile(deliveries, 50),
      p99DeliveryMs: percentile(deliveries, 99),
    };
  } finally {
    await s.stop();
  }
}

export function printFigures(rows: ApiserverFigures[]): void {
  const head = ['datastore', 'cold start→readyz', 'idle RSS', 'creates/s (32 clients)', 'create p50/p99 @100/s', `watch delivery p50/p99`];
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => '---').join('|')}|`);
  for (const r of rows)
    console.log(
      `| ${r.datastore} | ${fmt(r.startupMs, 0)} ms | ${fmt(r.idleRssMb)} MB | ${fmt(r.createsPerSec, 0)} | ${fmt(r.p50CreateMs)} / ${fmt(r.p99CreateMs)} ms | ${fmt(r.p50DeliveryMs)} / ${fmt(r.p99DeliveryMs)} ms (${r.watchers} watchers) |`,
    );
}
