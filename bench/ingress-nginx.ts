/**
 * @module Ingress figures (issue 5): requests/s through Skiff's built-in ingress controller vs
 * Debian's nginx as a reverse proxy to the same backend, side by side, and straight to the
 * backend for reference. The backend is one `process`-runtime pod (a Node HTTP server on a
 * loopback port) behind a Service and an Ingress; nginx (one worker, upstream keep-alive, as
 * ingress-nginx configures it) runs with its own config and pid file in a temp dir and is
 * stopped by its PID. The load generator (`http-load.ts`) is a separate process. CPU time per
 * request is read from `/proc/<pid>/stat` around each run (ingress workers; nginx master + worker).
 * Skips with the reason when kubectl or nginx is missing. Prints figures; never asserts on time.
 *
 *   node --import tsx bench/ingress-nginx.ts   (BENCH_NET_SECONDS per run, default 3; BENCH_NET_ROUNDS, default 2; BENCH_NET_CONCURRENCY, default 32;
 *   BENCH_INGRESS_WORKERS, default the server's)
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveKubectl } from '../test/support/kubectl.ts';
import { startCluster } from '../test/support/server.ts';
import { until } from './cluster.ts';
import { fmt } from './lib.ts';
import { backendScript, childPids, cpuMicrosPerRequest, freePort, interleaved, type LoadResult } from './http-load.ts';

export interface IngressRow { target: 'direct' | 'skiff ingress' | 'nginx'; keepAlive: boolean; r: LoadResult }
export interface IngressFigures { rows: IngressRow[]; concurrency: number; seconds: number; rounds: number; nginxVersion: string }

const node = 'skbench-ing';
const host = 'bench.example.com';

function nginxBinary(): string | undefined {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx']) {
    try {
      execFileSync(p, ['-v'], { stdio: 'ignore' });
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

function nginxConf(dir: string, listen: number, backend: number): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream backend { server 127.0.0.1:${backend}; keepalive 64; }
  server {
    listen 127.0.0.1:${listen};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`;
}

async function stopChild(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null || !p.pid) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGQUIT'); // nginx: graceful shutdown of master and workers
  const t = setTimeout(() => p.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/** One GET (node:http, because fetch does not let a caller set Host): 200 with the backend's body? */
function answers(url: string, hostHeader?: string): Promise<boolean> {
  return new Promise((resolve_) => {
    const req = http.get(url, { headers: hostHeader ? { host: hostHeader } : {}, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve_(res.statusCode === 200 && body === 'hello\n'));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve_(false));
  });
}

export async function benchIngress(opts: { seconds?: number; concurrency?: number; rounds?: number } = {}): Promise<IngressFigures | undefined> {
  const seconds = opts.seconds ?? Number(process.env.BENCH_NET_SECONDS ?? 3);
  const rounds = opts.rounds ?? Number(process.env.BENCH_NET_ROUNDS ?? 2);
  const concurrency = opts.concurrency ?? Number(process.env.BENCH_NET_CONCURRENCY ?? 32);
  // Ingress worker processes (default: the server's, one per CPU); 0 proxies in the server (no CPU figure then).
  const workers = process.env.BENCH_INGRESS_WORKERS === undefined ? undefined : Number(process.env.BENCH_INGRESS_WORKERS);
  if (!haveKubectl) return void console.log('ingress: skipped (kubectl not installed)');
  const nginx = nginxBinary();
  if (!nginx) return void console.log('ingress: skipped (nginx not installed: apt-get install -y nginx-light)');
  // nginx -v prints to stderr.
  const nginxVersion = spawnSync(nginx, ['-v'], { encoding: 'utf8' }).stderr.replace(/^nginx version:\s*/, '').trim() || 'nginx';
  const dir = await mkdtemp(join(tmpdir(), 'skiff-bench-nginx-'));
  const backendPort = await freePort();
  const c = await startCluster({ datastore: 'memory', server: { disableAgent: false, runtime: 'process', nodeName: node, clusterCidr: '10.64.0.0/16', ingressHttpPort: 0, ingressHttpsPort: -1, dnsPort: -1, ...(workers === undefined ? {} : { ingressWorkers: workers }) } });
  let ngx: ChildProcess | undefined;
  try {
    const apply = (o: object) => c.kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(o) });
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'backend', labels: { app: 'backend' } },
      spec: {
        nodeName: node, terminationGracePeriodSeconds: 1,
        containers: [{ name: 'web', image: 'node', command: [process.execPath, '-e', backendScript], env: [{ name: 'PORT', value: String(backendPort) }], ports: [{ name: 'http', containerPort: backendPort }], readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 1 } }],
      },
    });
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'backend' }, spec: { selector: { app: 'backend' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    await apply({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'backend' }, spec: { rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'backend', port: { number: 80 } } } }] } }] } });
    const ingressUrl = `http://127.0.0.1:${c.server.ingress.httpPort}/`;
    const direct = `http://127.0.0.1:${backendPort}/`;
    await until(() => answers(direct), 60_000, 'backend pod answers', 200);
    await until(() => answers(ingressUrl, host), 30_000, 'ingress routes to the backend', 200);

    const nginxPort = await freePort();
    await writeFile(join(dir, 'nginx.conf'), nginxConf(dir, nginxPort, backendPort));
    ngx = spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'inherit'] });
    const nginxUrl = `http://127.0.0.1:${nginxPort}/`;
    await until(() => answers(nginxUrl, host), 10_000, 'nginx proxies to the backend', 100);

    const rows: IngressRow[] = [];
    for (const keepAlive of [false, true]) {
      console.log(`ingress: keep-alive ${keepAlive ? 'on' : 'off'}: direct / skiff ingress / nginx, ${concurrency} in flight, ${rounds}× ${seconds} s each, interleaved…`);
      const base = { host, concurrency, keepAlive, seconds };
      const targets = [['direct', { url: direct, ...base }], ['skiff ingress', { url: ingressUrl, ...base }], ['nginx', { url: nginxUrl, ...base }]] as const;
      // CPU per request: the ingress worker processes (children of this process, which runs the
      // server) and nginx's master and worker.
      const cpu = { 'skiff ingress': () => childPids(process.pid, '__ingress-worker'), nginx: () => (ngx?.pid ? [ngx.pid, ...childPids(ngx.pid, 'nginx')] : []) };
      const r = await interleaved(targets, rounds, undefined, cpu);
      for (const [target] of targets) rows.push({ target, keepAlive, r: r.get(target)! });
    }
    return { rows, concurrency, seconds, rounds, nginxVersion: nginxVersion.trim() };
  } finally {
    if (ngx) await stopChild(ngx);
    await c.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export function printIngressFigures(f: IngressFigures | undefined): void {
  if (!f) return;
  console.log(`## Ingress vs nginx (${f.nginxVersion}, 1 worker) — ${f.concurrency} in flight, ${f.rounds} interleaved runs of ${f.seconds} s per figure\n`);
  console.log('| keep-alive (client) | target | requests/s | p50 | p99 | errors | ratio to nginx | CPU µs / request |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const row of f.rows) {
    const ngx = f.rows.find((r) => r.target === 'nginx' && r.keepAlive === row.keepAlive)!;
    const us = cpuMicrosPerRequest(row.r);
    console.log(`| ${row.keepAlive ? 'on' : 'off'} | ${row.target} | ${row.r.perSecond} | ${fmt(row.r.p50Ms, 2)} ms | ${fmt(row.r.p99Ms, 2)} ms | ${row.r.errors + row.r.bad} | ${fmt(row.r.perSecond / ngx.r.perSecond, 2)}× | ${Number.isNaN(us) ? '–' : fmt(us, 1)} |`);
  }
  console.log();
}

if (import.meta.url === `file://${process.argv[1]}`) printIngressFigures(await benchIngress());
