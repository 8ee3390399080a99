/**
 * @module Runs the host tools (runc/crun, ip, mount) the runc runtime drives, capturing output.
 * They go through one long-lived helper process (spawner.py) when python3 is there: forking the
 * kubelet's Node process (200 MB and up) blocks its only thread for milliseconds per tool, which
 * made a burst of pods CPU-bound on spawning alone. Without python3, or if the helper cannot run
 * a tool, the tool is spawned directly; results are the same either way.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { countSpawn } from './trace.js';

export interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
}

type Opts = { input?: string; timeoutMs?: number };

/** Runs a command to completion; stdin is closed so tools never wait on it. */
export function run(file: string, args: string[], opts: Opts = {}): Promise<CmdResult> {
  countSpawn(file);
  const h = helper();
  if (!h) return runDirect(file, args, opts);
  return h.run(file, args, opts).catch(() => runDirect(file, args, opts));
}

function runDirect(file: string, args: string[], opts: Opts): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, sig) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (sig ? 128 + 9 : 1), stdout, stderr });
    });
    // A tool that exits without reading stdin must not crash us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Like `run` but throws with the tool's stderr when it fails. */
export async function must(file: string, args: string[], opts: Opts = {}): Promise<string> {
  const r = await run(file, args, opts);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

const script = fileURLToPath(new URL('./spawner.py', import.meta.url));
const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
let current: Spawner | undefined;
let disabled = !python || !existsSync(script) || process.env.SKIFF_RUNC_DIRECT_SPAWN === '1';

function helper(): Spawner | undefined {
  if (disabled) return undefined;
  if (!current || current.dead) current = new Spawner(python!);
  return current;
}

interface Reply {
  id: number;
  code?: number;
  stdout?: string;
  stderr?: string;
  error?: string;
}

class Spawner {
  dead = false;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, { resolve: (r: CmdResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private buf = '';

  constructor(py: string) {
    this.child = spawn(py, ['-u', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (d: string) => this.onData(d));
    this.child.stderr.resume();
    this.child.stdin.on('error', () => undefined);
    const fail = (why: string) => {
      this.dead = true;
      for (const p of this.pending.values()) p.reject(new Error(why));
      this.pending.clear();
    };
    this.child.on('error', (e) => {
      // python3 cannot start at all: stop trying for this process.
      disabled = true;
      fail(e.message);
    });
    this.child.on('exit', () => fail('spawner exited'));
    this.idle();
  }

  run(file: string, args: string[], opts: Opts): Promise<CmdResult> {
    if (this.dead) return Promise.reject(new Error('spawner exited'));
    const id = this.nextId++;
    const req = { id, file, args, input: opts.input ?? '', timeout: opts.timeoutMs ? opts.timeoutMs / 1000 : null };
    return new Promise<CmdResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.busy();
      this.child.stdin.write(JSON.stringify(req) + '\n');
    });
  }

  private onData(d: string): void {
    this.buf += d;
    for (let nl = this.buf.indexOf('\n'); nl >= 0; nl = this.buf.indexOf('\n')) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      let r: Reply;
      try {
        r = JSON.parse(line) as Reply;
      } catch {
        continue;
      }
      const p = this.pending.get(r.id);
      if (!p) continue;
      this.pending.delete(r.id);
      // A tool the helper could not start (ENOENT…) is retried directly, for Node's own error.
      if (r.error !== undefined) p.reject(new Error(r.error));
      else p.resolve({ code: r.code ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' });
    }
    if (!this.pending.size) this.idle();
  }

  /** Keep the event loop alive only while a tool runs: an idle helper never holds a process open. */
  private busy(): void {
    this.child.ref();
    for (const s of this.pipes()) s.ref?.();
  }

  private idle(): void {
    this.child.unref();
    for (const s of this.pipes()) s.unref?.();
  }

  /** The stdio pipes are net.Sockets underneath (typed as plain streams). */
  private pipes(): { ref?: () => void; unref?: () => void }[] {
    return [this.child.stdin, this.child.stdout, this.child.stderr] as unknown as { ref?: () => void; unref?: () => void }[];
  }
}
