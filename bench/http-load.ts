/**
 * @module A small closed-loop HTTP load generator for the networking figures: `concurrency`
 * requests in flight through one `http.Agent` (keep-alive on or off) for `seconds`, counting
 * 2xx answers and errors. It runs as its own process (`runLoad` spawns it, optionally inside a
 * node's network namespace with nsenter) so the client never shares an event loop with the
 * server or proxy it measures.
 *
 *   node --import tsx bench/http-load.ts '{"url":"http://10.43.0.5/","concurrency":32,"keepAlive":false,"seconds":5}'
 *
 * prints one JSON line (`LoadResult`).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LoadOptions {
  url: string;
  concurrency: number;
  keepAlive: boolean;
  seconds: number;
  /** Host header (ingress routing); default the URL's host. */
  host?: string;
}

export interface LoadResult {
  ok: number;
  errors: number;
  /** Non-2xx answers. */
  bad: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU seconds (user + system) the measured processes spent during the run, when asked for. */
  cpuSeconds?: number;
}

/** The fields of `/proc/<pid>/stat` after the parenthesised command (which may hold spaces): state is [0], ppid [1], utime [11], stime [12]. */
function statFields(pid: number | string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds (utime + stime from `/proc/<pid>/stat`) of the given processes, together. */
export function cpuSecondsOf(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const f = statFields(pid);
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // exited
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** The PIDs of `parent`'s direct children whose command line contains `match`. */
export function childPids(parent: number, match: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (Number(statFields(d)[1]) === parent && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(match)) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

/** CPU µs per answered request of a combined result (NaN without CPU figures). */
export function cpuMicrosPerRequest(r: LoadResult): number {
  return r.cpuSeconds === undefined || !r.ok ? NaN : (r.cpuSeconds * 1e6) / r.ok;
}

/** A Node HTTP server answering every request with `hello\n` (what the backend pods run: `node -e`). */
export const backendScript = `require('node:http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'text/plain', 'content-length': 6 }); s.end('hello\\n'); }).listen(Number(process.env.PORT), '127.0.0.1');`;

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve_, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve_(port));
    });
  });
}

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

async function load(o: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: o.keepAlive, maxSockets: o.concurrency });
  const u = new URL(o.url);
  const lat: number[] = [];
  let ok = 0;
  let errors = 0;
  let bad = 0;
  const one = () =>
    new Promise<void>((done) => {
      const t = performance.now();
      const req = http.get({ host: u.hostname, port: u.port || 80, path: u.pathname + u.search, agent, headers: o.host ? { host: o.host } : {} }, (res) => {
        res.resume();
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) ok++;
          else bad++;
          lat.push(performance.now() - t);
          done();
        });
        res.on('error', () => (errors++, done()));
      });
      req.setTimeout(5000, () => req.destroy(new Error('timeout')));
      req.on('error', () => (errors++, done()));
    });
  // Warm-up (not counted): fills the agent's pool and the servers' caches.
  await Promise.all(Array.from({ length: o.concurrency }, one));
  ok = errors = bad = 0;
  lat.length = 0;
  const started = performance.now();
  const end = started + o.seconds * 1000;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.max(0, Math.ceil((p / 100) * lat.length) - 1))] ?? NaN;
  return { ok, errors, bad, seconds, perSecond: Math.round(ok / seconds), p50Ms: pct(50), p99Ms: pct(99) };
}

/**
 * Several runs of one target as one figure: requests/s over the summed time, the median of
 * the runs' p50 and the worst p99. The benches interleave targets (A B … B A) so that the
 * shared machine's drifting load hits every target alike.
 */
export function combine(runs: LoadResult[]): LoadResult {
  const sum = (f: (r: LoadResult) => number) => runs.reduce((a, r) => a + f(r), 0);
  const p50s = runs.map((r) => r.p50Ms).sort((a, b) => a - b);
  const seconds = sum((r) => r.seconds);
  const ok = sum((r) => r.ok);
  const cpu = runs.every((r) => r.cpuSeconds !== undefined) ? sum((r) => r.cpuSeconds!) : undefined;
  return { ok, errors: sum((r) => r.errors), bad: sum((r) => r.bad), seconds, perSecond: Math.round(ok / seconds), p50Ms: p50s[Math.floor((p50s.length - 1) / 2)] ?? NaN, p99Ms: Math.max(...runs.map((r) => r.p99Ms)), ...(cpu === undefined ? {} : { cpuSeconds: cpu }) };
}

/**
 * Runs each target `rounds` times, in alternating order (A B B A …); one combined result per
 * target. `cpu[target]` lists the processes whose CPU time each run of that target is charged
 * (read around the run; the load generator's warm-up is included, a few dozen requests).
 */
export async function interleaved<K extends string>(targets: readonly (readonly [K, LoadOptions])[], rounds: number, netns?: string, cpu: Partial<Record<K, () => number[]>> = {}): Promise<Map<K, LoadResult>> {
  const runs = new Map<K, LoadResult[]>(targets.map(([k]) => [k, []]));
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? targets : [...targets].reverse();
    for (const [k, o] of order) {
      const pids = cpu[k]?.();
      const c0 = pids ? cpuSecondsOf(pids) : 0;
      const r = await runLoad(o, netns);
      if (pids) r.cpuSeconds = cpuSecondsOf(pids) - c0;
      runs.get(k)!.push(r);
    }
  }
  return new Map([...runs].map(([k, r]) => [k, combine(r)]));
}

/** Runs the load generator in a child process, inside network namespace `netns` when given. */
export function runLoad(o: LoadOptions, netns?: string): Promise<LoadResult> {
  const node = [process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(o)];
  const [cmd, ...args] = netns ? ['nsenter', `--net=/run/netns/${netns}`, ...node] : node;
  return new Promise((resolve_, reject) => {
    const child = spawn(cmd!, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited ${code}: ${err.trim()}`));
      try {
        resolve_(JSON.parse(out.trim().split('\n').pop()!) as LoadResult);
      } catch {
        reject(new Error(`load generator printed no result: ${out} ${err}`));
      }
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
  process.stdout.write(`${JSON.stringify(await load(o))}\n`);
}
