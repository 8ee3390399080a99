/**
 * @module Container supervision through conmon: conmon runs `<runtime> create`, stays as the
 * container's parent (in its own session, so it outlives the kubelet), writes the CRI-format
 * log file, the exit code (`--exit-dir`) and an `oom` marker (`--persist-dir`). That is what
 * makes exits and OOM kills observable by any later runtime instance over the same stateDir.
 * A container whose spec asks for `stdin` gets conmon's `--stdin` pipe (fed from its attach
 * socket, see attach.ts); `tty` gets `--terminal` (conmon then takes the pty master itself, and
 * the OCI spec must say `process.terminal: true`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { run } from './cmd.js';
import { countSpawn, timed } from './trace.js';
import { pidAlive } from '../../../util/pid.js';

export interface SuperviseInput {
  id: string;
  /** Absolute path of runc or crun. */
  runtimePath: string;
  runtimeRoot: string;
  bundle: string;
  logPath: string;
  socketDir: string;
  /** Container `stdin: true`: conmon keeps a pipe to the process's stdin for attach clients. */
  stdin?: boolean;
  /** Container `tty: true`: conmon allocates the terminal (needs `process.terminal` in the spec). */
  tty?: boolean;
}

export const exitFile = (bundle: string, id: string) => join(bundle, 'exit', id);
export const oomFile = (bundle: string) => join(bundle, 'persist', 'oom');

/** Starts conmon and resolves once the container is created (its init pid file exists). */
export async function createWithConmon(inp: SuperviseInput, timeoutMs = 15000): Promise<number> {
  await mkdir(join(inp.bundle, 'exit'), { recursive: true });
  await mkdir(join(inp.bundle, 'persist'), { recursive: true });
  await mkdir(inp.socketDir, { recursive: true });
  await mkdir(dirname(inp.logPath), { recursive: true });
  const pidFile = join(inp.bundle, 'pid');
  const args = [
    '--api-version', '1', '-c', inp.id, '-u', inp.id, '-n', inp.id, '-r', inp.runtimePath, '-b', inp.bundle,
    '-p', pidFile, '--exit-dir', join(inp.bundle, 'exit'),
    '-0', join(inp.bundle, 'persist'), '-l', `k8s-file:${inp.logPath}`, '--socket-dir-path', inp.socketDir,
    '--runtime-arg', `--root=${inp.runtimeRoot}`, '--log-level', 'error',
    // Without --sync the daemonised child fails to create containers on this machine (measured);
    // with it conmon stays in the foreground, which we detach into its own session instead.
    '--sync',
    ...(inp.stdin ? ['--stdin'] : []),
    ...(inp.tty ? ['--terminal'] : []),
  ];
  const errPath = join(inp.bundle, 'conmon.err');
  const { openSync, closeSync } = await import('node:fs');
  const errFd = openSync(errPath, 'w');
  countSpawn('conmon');
  const child = spawn('conmon', args, { detached: true, stdio: ['ignore', errFd, errFd], cwd: inp.bundle });
  closeSync(errFd);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.on('error', () => (exited = 127));
  child.unref();
  // With --sync conmon never writes its -P pid file (measured): record the pid we spawned; that
  // process lives until the container's exit has been recorded.
  if (child.pid) await writeFile(join(inp.bundle, 'conmon.pid'), String(child.pid));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(pidFile)) {
      const pid = Number((await readFile(pidFile, 'utf8')).trim());
      if (pid > 0) return pid;
    }
    if (exited !== null || Date.now() > deadline) {
      if (exited === null) child.kill('SIGKILL');
      const err = (await readFile(errPath, 'utf8').catch(() => '')).trim();
      throw new Error(`container create failed${exited !== null ? ` (conmon exit ${exited})` : ' (timeout)'}: ${err || 'see runtime logs'}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface ExitInfo {
  exitCode: number;
  finishedAt: number;
  oom: boolean;
}

/** The recorded exit, if conmon saw the container exit. */
export async function readExit(bundle: string, id: string): Promise<ExitInfo | undefined> {
  const f = exitFile(bundle, id);
  try {
    const text = (await readFile(f, 'utf8')).trim();
    if (text === '') return undefined;
    const st = await stat(f);
    return { exitCode: Number(text), finishedAt: st.mtimeMs, oom: existsSync(oomFile(bundle)) };
  } catch {
    return undefined;
  }
}

export interface RuntimeState {
  status: 'created' | 'running' | 'stopped' | 'paused' | 'unknown';
  pid: number;
}

export async function runtimeState(runtimePath: string, root: string, id: string): Promise<RuntimeState | undefined> {
  const r = await timed('runc.state', () => run(runtimePath, [`--root=${root}`, 'state', id]));
  if (r.code !== 0) return undefined;
  try {
    const s = JSON.parse(r.stdout) as { status?: string; pid?: number };
    const status = (['created', 'running', 'stopped', 'paused'] as const).find((x) => x === s.status) ?? 'unknown';
    return { status, pid: s.pid ?? 0 };
  } catch {
    return undefined;
  }
}

/** conmon's stderr, for messages about a container it could not supervise. */
export async function conmonError(bundle: string): Promise<string> {
  const text = (await readFile(join(bundle, 'conmon.err'), 'utf8').catch(() => '')).trim();
  return text ? `: ${text.slice(-300)}` : '';
}

/** True while the conmon we spawned for `id` runs (pid recorded, same command line). */
export async function conmonAlive(bundle: string, id: string): Promise<boolean> {
  const pid = Number((await readFile(join(bundle, 'conmon.pid'), 'utf8').catch(() => '')).trim());
  if (!pidAlive(pid)) return false;
  // A zombie or a reused pid has another (or an empty) command line.
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes(id);
}
