/**
 * @module The `process` runtime: each container is its command run as a plain host process —
 * no image (the name is recorded, never pulled), no isolation, the host's network (pods share
 * the node's address; port-forward dials 127.0.0.1). A shell shim (process/shim.ts) per
 * container keeps it running across kubelet restarts and writes CRI-format logs; containers with
 * `stdin` or `tty` get a python shim instead (process/stdio-shim.py) that also holds their stdin
 * (a pipe, or a pty) open and serves it to attach on a socket in the container's folder. All
 * state lives as files under `root`, so a new instance over the same folder finds its containers.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import type {
  ContainerConfig, ContainerStats, ContainerStatus, ExecOptions,
  PodSandboxConfig, PodSandboxStatus, Runtime, RuntimeVersion,
} from './interface.ts';
import { processEnv, rewritePaths } from './process/paths.ts';
import { shimScript } from './process/shim.ts';
import { processGroupStats } from './process/proc-stats.ts';
import { attachSession, attachSocketName } from './process/attach-session.ts';
import { python3, stdioShimPath } from './process/python.ts';
import { RecordedImages } from './process/recorded-images.ts';
import { followOutput } from './follow-output.js';
import { pidAlive } from '../../util/pid.js';

interface SandboxRecord { id: string; config: PodSandboxConfig; createdAt: number; state: 'ready' | 'notready' }
/** `stdio: 'socket'`: started under the stdio shim, whose attach socket holds the container's stdin. */
interface ContainerRecord { id: string; sandboxId: string; config: ContainerConfig; createdAt: number; shimPid?: number; hostname: string; stdio?: 'socket' }

const newId = () => randomBytes(16).toString('hex');


function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

export class ProcessRuntime implements Runtime {
  readonly name = 'process';
  readonly images = new RecordedImages();

  private readonly root: string;

  constructor(root: string) {
    // Absolute: the stdio shim changes into the container's folder.
    this.root = resolve(root);
  }

  private sandboxDir(id: string) { return join(this.root, 'sandboxes', id); }
  private containerDir(id: string) { return join(this.root, 'containers', id); }

  async version(): Promise<RuntimeVersion> {
    return { runtimeName: 'process', runtimeVersion: '0.1.0' };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = newId();
    await mkdir(join(this.sandboxDir(id), 'rootfs'), { recursive: true });
    await mkdir(config.logDirectory, { recursive: true });
    await this.writeSandbox({ id, config, createdAt: Date.now(), state: 'ready' });
    return id;
  }

  private async writeSandbox(rec: SandboxRecord): Promise<void> {
    await writeFile(join(this.sandboxDir(rec.id), 'sandbox.json'), JSON.stringify(rec));
  }

  private async sandbox(id: string): Promise<SandboxRecord | undefined> {
    const text = await readText(join(this.sandboxDir(id), 'sandbox.json'));
    return text ? (JSON.parse(text) as SandboxRecord) : undefined;
  }

  async stopPodSandbox(id: string): Promise<void> {
    for (const c of await this.listContainers({ sandboxId: id })) if (c.state === 'running') await this.stopContainer(c.id, 0);
    const rec = await this.sandbox(id);
    if (rec && rec.state !== 'notready') await this.writeSandbox({ ...rec, state: 'notready' });
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.stopPodSandbox(id);
    for (const c of await this.listContainers({ sandboxId: id })) await this.removeContainer(c.id);
    await rm(this.sandboxDir(id), { recursive: true, force: true });
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus | undefined> {
    const rec = await this.sandbox(id);
    if (!rec) return undefined;
    const c = rec.config;
    // Host network: the pod's IP is the node's, which the kubelet fills in.
    return { id, uid: c.uid, name: c.name, namespace: c.namespace, attempt: c.attempt, state: rec.state, createdAt: rec.createdAt, ip: '', netnsPath: '', labels: c.labels };
  }

  async listPodSandboxes(): Promise<PodSandboxStatus[]> {
    const ids = await readdir(join(this.root, 'sandboxes')).catch(() => [] as string[]);
    const out: PodSandboxStatus[] = [];
    for (const id of ids) {
      const s = await this.podSandboxStatus(id);
      if (s) out.push(s);
    }
    return out;
  }

  async createContainer(sandboxId: string, config: ContainerConfig, sandbox: PodSandboxConfig): Promise<string> {
    if (!(await this.sandbox(sandboxId))) throw new Error(`sandbox ${sandboxId} not found`);
    if (!config.command.length && !config.args.length)
      throw new Error(`the process runtime runs a container's command on the host and cannot run image ${config.image.name}'s entrypoint: set command`);
    const id = newId();
    await mkdir(this.containerDir(id), { recursive: true });
    await mkdir(dirname(config.logPath), { recursive: true });
    const rec: ContainerRecord = { id, sandboxId, config, createdAt: Date.now(), hostname: sandbox.hostname };
    await writeFile(join(this.containerDir(id), 'container.json'), JSON.stringify(rec));
    return id;
  }

  private async container(id: string): Promise<ContainerRecord | undefined> {
    const text = await readText(join(this.containerDir(id), 'container.json'));
    return text ? (JSON.parse(text) as ContainerRecord) : undefined;
  }

  /** The working directory: the container's own folder under its sandbox, or a rewritten mount path. */
  private async workDir(rec: ContainerRecord): Promise<string> {
    const wd = rec.config.workingDir;
    const mounted = wd ? rewritePaths(wd, rec.config.mounts) : undefined;
    if (mounted && mounted !== wd) return mounted;
    const dir = join(this.sandboxDir(rec.sandboxId), 'rootfs', wd ?? '');
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async startContainer(id: string): Promise<void> {
    const rec = await this.container(id);
    if (!rec) throw new Error(`container ${id} not found`);
    if (existsSync(join(this.containerDir(id), 'pid'))) throw new Error(`container ${id} was already started`);
    const { config } = rec;
    const argv = [...config.command, ...config.args].map((a) => rewritePaths(a, config.mounts));
    const dir = this.containerDir(id);
    const cwd = await this.workDir(rec);
    // stdin or a terminal needs the python shim; without python3 the container runs with stdin closed.
    const python = config.stdin || config.tty ? await python3() : undefined;
    const flags = `${config.stdin ? 'i' : ''}${config.stdinOnce ? 'o' : ''}${config.tty ? 't' : ''}-`;
    const [file, shimArgs] = python
      ? [python, ['-I', stdioShimPath, dir, config.logPath, cwd, flags, ...argv]]
      : ['/bin/sh', ['-c', shimScript, 'skiff-shim', dir, config.logPath, cwd, ...argv]];
    await writeFile(join(dir, 'started'), String(Date.now()));
    const shim = spawn(file, shimArgs, { detached: true, stdio: 'ignore', env: processEnv(config.env, config.mounts, rec.hostname) });
    shim.unref();
    await writeFile(join(dir, 'container.json'), JSON.stringify({ ...rec, shimPid: shim.pid, ...(python ? { stdio: 'socket' } : {}) }));
    // Started means the process exists: wait for the shim to report its pid.
    const deadline = Date.now() + 5000;
    while (!existsSync(join(dir, 'pid')) && !existsSync(join(dir, 'exit'))) {
      if (Date.now() > deadline) throw new Error(`container ${id} did not start within 5s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    // The pid is known before `setsid` has made it a group leader; signals go to the group, so wait for that.
    const pid = Number(await readText(join(dir, 'pid')));
    while (pid && Date.now() < deadline && !existsSync(join(dir, 'exit'))) {
      const stat = await readText(`/proc/${pid}/stat`);
      if (!stat || Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pid) break;
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const dir = this.containerDir(id);
    const pid = Number(await readText(join(dir, 'pid')));
    if (!pid || existsSync(join(dir, 'exit'))) return;
    signalGroup(pid, 'SIGTERM');
    const exited = async (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        if (existsSync(join(dir, 'exit'))) return true;
        const rec = await this.container(id);
        if (!pidAlive(pid) && !pidAlive(rec?.shimPid)) return true;
        await new Promise((r) => setTimeout(r, 20));
      }
      return existsSync(join(dir, 'exit'));
    };
    if (await exited(Math.max(0, timeoutSeconds) * 1000)) return;
    signalGroup(pid, 'SIGKILL');
    await exited(5000);
  }

  async removeContainer(id: string): Promise<void> {
    const st = await this.containerStatus(id);
    if (st?.state === 'running') await this.stopContainer(id, 0);
    await rm(this.containerDir(id), { recursive: true, force: true });
  }

  async containerStatus(id: string): Promise<ContainerStatus | undefined> {
    const rec = await this.container(id);
    if (!rec) return undefined;
    const dir = this.containerDir(id);
    const [pidText, startedText, exitText, finishedText] = await Promise.all(['pid', 'started', 'exit', 'finished'].map((f) => readText(join(dir, f))));
    const pid = pidText ? Number(pidText) : undefined;
    const base = { id, name: rec.config.name, attempt: rec.config.attempt, createdAt: rec.createdAt, image: rec.config.image, labels: rec.config.labels, message: '' };
    const startedAt = startedText ? Number(startedText) : 0;
    if (exitText !== undefined) {
      const exitCode = Number(exitText);
      return { ...base, state: 'exited', startedAt, finishedAt: Number(finishedText ?? Date.now()), exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' };
    }
    if (!startedAt) return { ...base, state: 'created', startedAt: 0, finishedAt: 0, exitCode: 0, reason: '' };
    if (pidAlive(pid) || pidAlive(rec.shimPid)) return { ...base, state: 'running', startedAt, finishedAt: 0, exitCode: 0, reason: '', pid };
    // Shim and process are gone without an exit record (killed from outside, machine reboot).
    return { ...base, state: 'exited', startedAt, finishedAt: Date.now(), exitCode: 255, reason: 'Error', message: 'the container process disappeared without an exit status' };
  }

  async listContainers(filter?: { sandboxId?: string }): Promise<ContainerStatus[]> {
    const ids = await readdir(join(this.root, 'containers')).catch(() => [] as string[]);
    const out: ContainerStatus[] = [];
    for (const id of ids) {
      const rec = await this.container(id);
      if (!rec || (filter?.sandboxId && rec.sandboxId !== filter.sandboxId)) continue;
      const st = await this.containerStatus(id);
      if (st) out.push(st);
    }
    return out;
  }

  async exec(id: string, command: string[], opts: ExecOptions): Promise<number> {
    const rec = await this.container(id);
    const st = await this.containerStatus(id);
    if (!rec || st?.state !== 'running') throw new Error(`container ${id} is not running`);
    if (!command.length) throw new Error('exec: empty command');
    const argv = command.map((a) => rewritePaths(a, rec.config.mounts));
    const cwd = await this.workDir(rec);
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { cwd, env: processEnv(rec.config.env, rec.config.mounts, rec.hostname), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const kill = () => child.pid && signalGroup(child.pid, 'SIGKILL');
      const timer = opts.timeoutMs ? setTimeout(kill, opts.timeoutMs) : undefined;
      opts.signal?.addEventListener('abort', kill, { once: true });
      if (opts.signal?.aborted) kill();
      if (opts.stdin) opts.stdin.pipe(child.stdin);
      else child.stdin.end();
      child.stdout.on('data', (d: Buffer) => opts.stdout?.write(d));
      child.stderr.on('data', (d: Buffer) => opts.stderr?.write(d));
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', kill);
        resolve(code ?? (sig ? 128 + (sig === 'SIGKILL' ? 9 : 15) : 1));
      });
    });
  }

  /**
   * Output is followed from the log. With stdin requested and a container that has one (or with a
   * tty, for its sizes), input goes to the stdio shim's attach socket. As with containerd, a
   * container without stdin takes no input (the attach is output-only) and sizes without a
   * terminal are ignored; kubectl itself says "Unable to use a TTY - container x did not allocate one".
   */
  async attach(id: string, opts: ExecOptions): Promise<void> {
    const rec = await this.container(id);
    if (!rec) throw new Error(`container ${id} not found`);
    const { config } = rec;
    const follow = (signal?: AbortSignal, ready?: () => void) =>
      followOutput(
        // followOutput first asks exited() once it has fixed its start in the log: the input may go then.
        { logPath: config.logPath, exited: async () => (ready?.(), (await this.containerStatus(id))?.state !== 'running') },
        { stdout: opts.stdout, stderr: opts.stderr, signal },
      );
    const stdin = config.stdin ? opts.stdin : undefined;
    const resize = config.tty ? opts.resize : undefined;
    if (rec.stdio !== 'socket' || (!stdin && !resize)) return await follow(opts.signal);
    if ((await this.containerStatus(id))?.state !== 'running') return await follow(opts.signal);
    try {
      await attachSession(join(this.containerDir(id), attachSocketName), { stdin, resize, stdinOnce: config.stdinOnce, signal: opts.signal }, follow);
    } catch (err) {
      // The container exited before the socket could be reached: what is left is its output.
      if ((await this.containerStatus(id))?.state === 'running') throw err;
      await follow(opts.signal);
    }
  }

  async portForward(_sandboxId: string, port: number): Promise<Duplex> {
    // Process pods share the host network: the pod's port is the host's loopback port.
    return await new Promise<Duplex>((resolve, reject) => {
      const sock = connect({ host: '127.0.0.1', port }, () => resolve(sock));
      sock.once('error', reject);
    });
  }

  async containerStats(id: string): Promise<ContainerStats | undefined> {
    const st = await this.containerStatus(id);
    if (st?.state !== 'running' || !st.pid) return undefined;
    return await processGroupStats(st.pid);
  }
}

/** Kills every container process and shim found under a process-runtime state folder (cleanup after tests, `skiff killall`). */
export async function killAllProcesses(root: string): Promise<void> {
  const ids = await readdir(join(root, 'containers')).catch(() => [] as string[]);
  for (const id of ids) {
    const dir = join(root, 'containers', id);
    const pid = Number(await readText(join(dir, 'pid')));
    if (pid) signalGroup(pid, 'SIGKILL');
    const text = await readText(join(dir, 'container.json'));
    const shimPid = text ? (JSON.parse(text) as ContainerRecord).shimPid : undefined;
    if (shimPid) signalGroup(shimPid, 'SIGKILL');
  }
}
