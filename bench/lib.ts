/**
 * Shared bench helpers: spawn a real `skiff server`, talk HTTPS to it with the admin
 * certificate, and summarise latencies. Benchmarks print figures; they never assert on time.
 *
 * The server is the `bin/skiff` executable, which runs the precompiled bundle
 * `dist/skiff.mjs` (as `npm start` does). The bundle is brought up to date once, before the
 * first server starts, so a rebuild is never counted in a cold-start figure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSkiff } from '../scripts/build.ts';

const skiff = fileURLToPath(new URL('../bin/skiff', import.meta.url));

export interface BenchServer {
  url: string;
  pid: number;
  dataDir: string;
  agent: Agent;
  startupMs: number;
  stop(): Promise<void>;
}

let built: Promise<string> | undefined;

export async function startServer(datastore = 'sqlite', agentOpts: { maxSockets?: number } = {}): Promise<BenchServer> {
  await (built ??= buildSkiff());
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-'));
  const t0 = performance.now();
  const child: ChildProcess = spawn(skiff, ['server', '--data-dir', dataDir, '--port', '0', '--datastore', datastore, '--disable-agent', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /Skiff is running at (\S+)/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(m[1]!);
      }
    }, 2);
    child.once('exit', (code) => reject(new Error(`skiff exited ${code}`)));
  });
  const ca = await readFile(join(dataDir, 'tls', 'ca.crt'), 'utf8');
  const cert = await readFile(join(dataDir, 'tls', 'admin.crt'), 'utf8');
  const key = await readFile(join(dataDir, 'tls', 'admin.key'), 'utf8');
  const agent = new Agent({ ca, cert, key, keepAlive: true, maxSockets: agentOpts.maxSockets ?? 64 });
  for (;;) {
    const r = await call(url, agent, 'GET', '/readyz').catch(() => ({ status: 0, body: '' }));
    if (r.status === 200) break;
    await new Promise((res) => setTimeout(res, 2));
  }
  const startupMs = performance.now() - t0;
  return {
    url,
    pid: child.pid!,
    dataDir,
    agent,
    startupMs,
    async stop() {
      agent.destroy();
      const closed = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await closed;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function call(base: string, agent: Agent, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      `${base}${path}`,
      { method, agent, headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
