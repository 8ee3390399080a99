/**
 * @module The ingress worker pool (`--ingress-workers N`): forks N worker processes, as nginx
 * runs one worker per CPU, so proxying does not share the server process's event loop and CPU. Each gets the listening sockets the server bound (so bind errors and
 * ports stay the server's) after the current snapshot, and every later snapshot; their metric
 * batches are replayed into the server's registry. From the bundle the worker is
 * `dist/ingress-worker.mjs`; from source, `worker-main.ts` under tsx. Workers are killed by PID
 * on stop and exit on their own when the server goes away; when all of them die first, the
 * owner is told (`onAllExited`) and takes the listeners back.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from '../util/log.ts';
import type { IngressMetrics } from './metrics.ts';
import type { FromWorker, Snapshot, ToWorker } from './snapshot.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readyTimeoutMs = 30_000;

/** The script and node flags that start a worker in this installation. */
function workerCommand(): { script: string; execArgv: string[] } {
  const bundle = join(root, 'dist', 'ingress-worker.mjs');
  // Running from the bundle (bin/skiff): its worker twin, built by the same build, needs no tsx.
  if (process.argv[1] === join(root, 'dist', 'skiff.mjs') && existsSync(bundle)) return { script: bundle, execArgv: [] };
  return { script: join(root, 'src', 'ingress', 'worker-main.ts'), execArgv: ['--import', pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href] };
}

export class IngressWorkers {
  private readonly children: ChildProcess[] = [];
  private snapshot?: Snapshot;
  private stopping = false;
  private started = false;
  private alive = 0;

  constructor(
    private readonly count: number,
    private readonly metrics: IngressMetrics,
    private readonly logger: Logger,
    /**
     * Every worker exited on its own after the start (a crash, a kill): the listening sockets
     * are gone with the last one, so the owner must take over (the controller binds again and
     * proxies in the server process). A single worker's death leaves its siblings serving.
     */
    private readonly onAllExited?: () => void,
  ) {}

  /** The workers' PIDs (tests, logs). */
  get pids(): number[] {
    return this.children.flatMap((c) => (c.pid !== undefined && c.exitCode === null && c.signalCode === null ? [c.pid] : []));
  }

  /** Forks the workers and hands them the servers; resolves once every worker accepts on all. */
  async start(first: Snapshot, servers: { proto: 'http' | 'https'; server: Server }[]): Promise<void> {
    this.snapshot = first;
    const { script, execArgv } = workerCommand();
    const ready: Promise<void>[] = [];
    for (let i = 0; i < this.count; i++) {
      const child = fork(script, ['__ingress-worker'], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      this.children.push(child);
      let listening = 0;
      ready.push(
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`ingress worker ${child.pid} not ready after ${readyTimeoutMs} ms`)), readyTimeoutMs);
          child.on('message', (m: FromWorker) => {
            if (m.type === 'metrics') for (const b of m.batch) for (const s of b.seconds) this.metrics.observe(b.ingress, b.service, b.code, s);
            else if (m.type === 'listening' && ++listening === servers.length) {
              clearTimeout(timer);
              resolve();
            }
          });
          // A failed fork, or a send to a child already gone: unheard, the 'error' event would crash the server.
          child.on('error', (err) => {
            clearTimeout(timer);
            reject(err);
            if (!this.stopping) this.logger.warn('ingress worker error', { pid: child.pid, err: String(err) });
          });
          child.once('exit', (code, sig) => {
            clearTimeout(timer);
            reject(new Error(`ingress worker exited (${code ?? sig})`));
            if (this.stopping) return;
            this.logger.error('ingress worker exited', { pid: child.pid, code, signal: sig, left: this.started ? this.alive - 1 : undefined });
            if (this.started && --this.alive === 0) this.onAllExited?.();
          });
        }),
      );
      // The snapshot first: a worker accepts only once it can route.
      this.post(child, { type: 'snapshot', snapshot: first });
      for (const s of servers) child.send({ type: 'server', proto: s.proto } satisfies ToWorker, s.server);
    }
    await Promise.all(ready);
    this.started = true;
    this.alive = this.pids.length;
    if (this.alive === 0) this.onAllExited?.();
  }

  private post(child: ChildProcess, m: ToWorker): void {
    if (child.connected) child.send(m, (err) => err && !this.stopping && this.logger.warn('cannot send to ingress worker', { pid: child.pid, err: String(err) }));
  }

  /** Pushes a new snapshot to every worker. */
  update(s: Snapshot): void {
    this.snapshot = s;
    for (const c of this.children) this.post(c, { type: 'snapshot', snapshot: s });
  }

  get current(): Snapshot | undefined {
    return this.snapshot;
  }

  /** Kills every worker by PID and waits for them to exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            if (c.pid !== undefined) {
              try {
                process.kill(c.pid, 'SIGTERM');
              } catch {
                resolve();
              }
            } else resolve();
          }),
      ),
    );
  }
}
