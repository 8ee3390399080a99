/**
 * @module The `runc` runtime: real OCI containers through runc or crun, supervised by conmon.
 * Sandboxes are a netns + persistent UTS/IPC namespaces (sandbox.ts); containers get an
 * overlay rootfs (rootfs.ts), an OCI spec (spec.ts) and a conmon (supervise.ts). Everything
 * is recorded under stateDir so a new instance re-attaches (see docs/runtime-runc.md).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../../util/log.js';
import { OciImageService } from '../../images/image-service.js';
import type {
  ContainerConfig, ContainerStats, ContainerStatus, ExecOptions, PodSandboxConfig, PodSandboxStatus, Runtime,
  RuntimeVersion, UnpackedImageService,
} from '../interface.js';
import { attachSocketPath, attachWithStdin, conmonCtlPath } from './attach.js';
import { followOutput } from '../follow-output.js';
import { binaryVersion, resolveBinary } from './binary.js';
import { ensureHugetlbV1, removeCgroupTree } from './cgroups.js';
import { PodCgroupManager } from './pod-cgroup-manager.js';
import type { NodeAllocatable } from './pod-cgroups.js';
import { run } from './cmd.js';
import { execInContainer } from './exec.js';
import { IpAllocator } from './ipam.js';
import { deleteBridge, ensureBridge } from './network.js';
import { forwardPort } from './port-forward.js';
import { mountRootfs, unmountRootfs } from './rootfs.js';
import { createSandbox, removeSandboxDir, sandboxRecord, teardownSandbox, type SandboxDeps } from './sandbox.js';
import { buildSpec } from './spec.js';
import { loadRecords, writeJson, type ContainerRecord, type SandboxRecord } from './state.js';
import { readStats } from './stats.js';
import { containerStatusOf } from './status.js';
import { KnownInits } from './proc-state.js';
import { timed } from './trace.js';
import { conmonAlive, conmonError, createWithConmon, readExit, runtimeState, type RuntimeState } from './supervise.js';

export interface RuncRuntimeOptions {
  /** Where sandboxes, containers, IPAM and the runtime's own state live. `root` is an alias. */
  stateDir?: string;
  root?: string;
  /** Node data folder; images go to `<dataDir>/images` when no image service is given. */
  dataDir?: string;
  /** The image store; by default an OciImageService under dataDir (or stateDir). */
  images?: UnpackedImageService;
  binary?: 'runc' | 'crun' | 'auto';
  /** Node bridge name (default `skiff0`). */
  bridge?: string;
  /** The node's podCIDR; its first address goes on the bridge. Default 10.88.0.0/24 (see setPodCidr). */
  podCidr?: string;
  /** Extra CIDRs routed from pods via the bridge (e.g. the service CIDR, other nodes' pod CIDRs). */
  podRoutes?: string[];
  /** Limits of the node's `kubepods` cgroup; default the host's cpus and memory. */
  nodeAllocatable?: NodeAllocatable;
  /** Upstream `podPidsLimit`: pids.max of every pod cgroup (unset: none). */
  podPidsLimit?: number;
  logger: Logger;
}

export { runcAvailable } from './binary.js';

export const DEFAULT_POD_CIDR = '10.88.0.0/24';

export async function createRuncRuntime(opts: RuncRuntimeOptions): Promise<RuncRuntime> {
  const stateDir = opts.stateDir ?? opts.root;
  if (!stateDir) throw new Error('createRuncRuntime: stateDir is required');
  // `auto` over existing state keeps the binary that created it: runc and crun state differ.
  const previous = (['runc', 'crun'] as const).filter((b) => existsSync(join(stateDir, b)));
  const choice = opts.binary ?? 'auto';
  const bin = resolveBinary(choice === 'auto' && previous.length === 1 ? previous[0]! : choice);
  if (bin.name === 'crun') await ensureHugetlbV1();
  await mkdir(stateDir, { recursive: true });
  const images = opts.images ?? new OciImageService(join(opts.dataDir ?? stateDir, 'images'), { logger: opts.logger });
  const rt = new RuncRuntime({ ...opts, stateDir, images, podCidr: opts.podCidr ?? DEFAULT_POD_CIDR }, bin);
  await rt.load();
  return rt;
}

type ResolvedOptions = RuncRuntimeOptions & { stateDir: string; images: UnpackedImageService; podCidr: string };

/**
 * Removes every sandbox and container recorded under stateDir (and optionally the bridge):
 * for test harnesses and `agent` clean-up, which must not leave netns, mounts or cgroups behind.
 */
export async function destroyRuncState(stateDir: string, logger: Logger, o: { removeBridge?: boolean; bridge?: string } = {}): Promise<void> {
  if (!['sandboxes', 'containers', 'cgroup-roots.json'].some((f) => existsSync(join(stateDir, f)))) return;
  const rt = await createRuncRuntime({ stateDir, logger, bridge: o.bridge });
  await rt.shutdown({ removeBridge: o.removeBridge, removeCgroupRoots: true });
}

const poll = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RuncRuntime implements Runtime {
  readonly name = 'runc';
  readonly images: UnpackedImageService;
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, ContainerRecord>();
  private deps: SandboxDeps;
  private readonly root: string;
  private bridgeReady: Promise<void> | undefined;
  /** Inits of containers seen running, so state() need not spawn `runc state` (see proc-state.ts). */
  private readonly inits = new KnownInits();
  private readonly cgroups: PodCgroupManager;

  constructor(
    private readonly opts: ResolvedOptions,
    readonly binary: { name: 'runc' | 'crun'; path: string },
  ) {
    this.images = opts.images;
    this.root = join(opts.stateDir, binary.name);
    this.deps = {
      stateDir: opts.stateDir,
      bridge: { name: opts.bridge ?? 'skiff0', podCidr: opts.podCidr },
      ipam: new IpAllocator(opts.stateDir, opts.podCidr),
      routes: opts.podRoutes ?? [],
    };
    this.cgroups = new PodCgroupManager({
      stateDir: opts.stateDir, logger: opts.logger, sandboxes: () => [...this.sandboxes.values()],
      ...(opts.nodeAllocatable ? { nodeAllocatable: opts.nodeAllocatable } : {}), ...(opts.podPidsLimit ? { podPidsLimit: opts.podPidsLimit } : {}),
    });
  }

  /** Re-attach: read every record a previous instance left. */
  async load(): Promise<void> {
    for (const s of await loadRecords<SandboxRecord>(join(this.opts.stateDir, 'sandboxes'))) this.sandboxes.set(s.id, s);
    for (const c of await loadRecords<ContainerRecord>(join(this.opts.stateDir, 'containers'))) this.containers.set(c.id, c);
  }

  /**
   * The node's podCIDR, once the kubelet learns it from its Node (IPAM assigns it after
   * registration). Only honoured while no pod sandbox is live: addresses already handed out
   * stay valid on the bridge they were given on.
   */
  setPodCidr(podCidr: string): boolean {
    if (podCidr === this.deps.bridge.podCidr) return true;
    if ([...this.sandboxes.values()].some((s) => !s.stopped && !s.config.hostNetwork)) {
      this.opts.logger.warn('podCIDR changed while pods are running; keeping the old one', { podCidr, current: this.deps.bridge.podCidr });
      return false;
    }
    this.deps = { ...this.deps, bridge: { ...this.deps.bridge, podCidr }, ipam: new IpAllocator(this.opts.stateDir, podCidr) };
    this.bridgeReady = undefined;
    return true;
  }

  async version(): Promise<RuntimeVersion> {
    return { runtimeName: this.binary.name, runtimeVersion: await binaryVersion(this.binary.path) };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    if (!config.hostNetwork) {
      this.bridgeReady ??= ensureBridge(this.deps.bridge).catch((e: unknown) => {
        this.bridgeReady = undefined;
        throw e;
      });
      await this.bridgeReady;
    }
    const id = randomBytes(16).toString('hex');
    // The pod cgroup and its limits exist before any container is created in it.
    await timed('sandbox.cgroups', () => this.cgroups.podCreating(config));
    try {
      const rec = await timed('sandbox', () => createSandbox(this.deps, id, config));
      this.sandboxes.set(id, rec);
      await this.cgroups.tierChanged(config);
    } catch (e) {
      const partial = sandboxRecord(this.opts.stateDir, id, config);
      await teardownSandbox(this.deps, partial).catch(() => undefined);
      await removeSandboxDir(partial).catch(() => undefined);
      throw e;
    }
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sb = this.sandboxes.get(id);
    if (!sb) return;
    await Promise.all(this.containersOf(id).map((c) => this.stopContainer(c.id, 0)));
    await teardownSandbox(this.deps, sb);
    sb.stopped = true;
    await writeJson(join(sb.dir, 'record.json'), sb);
  }

  async removePodSandbox(id: string): Promise<void> {
    const sb = this.sandboxes.get(id);
    if (!sb) return;
    await this.stopPodSandbox(id);
    for (const c of this.containersOf(id)) await this.removeContainer(c.id);
    await removeSandboxDir(sb);
    this.sandboxes.delete(id);
    await this.cgroups.podRemoved(sb.config, id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus | undefined> {
    const sb = this.sandboxes.get(id);
    if (!sb) return undefined;
    const { config: c } = sb;
    return {
      id, uid: c.uid, name: c.name, namespace: c.namespace, attempt: c.attempt, createdAt: sb.createdAt,
      state: sb.stopped ? 'notready' : 'ready', ip: sb.ip, netnsPath: sb.netnsName ? `/run/netns/${sb.netnsName}` : '',
      labels: c.labels,
    };
  }

  async listPodSandboxes(): Promise<PodSandboxStatus[]> {
    const out: PodSandboxStatus[] = [];
    for (const id of this.sandboxes.keys()) {
      const s = await this.podSandboxStatus(id);
      if (s) out.push(s);
    }
    return out;
  }

  private containersOf(sandboxId: string): ContainerRecord[] {
    return [...this.containers.values()].filter((c) => c.sandboxId === sandboxId);
  }

  async createContainer(sandboxId: string, config: ContainerConfig, _sandbox: PodSandboxConfig): Promise<string> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb || sb.stopped) throw new Error(`pod sandbox ${sandboxId} is not ready`);
    const id = randomBytes(16).toString('hex');
    const dir = join(this.opts.stateDir, 'containers', id);
    await mkdir(dir, { recursive: true });
    const cgroupsPath = `${sb.config.cgroupParent.replace(/\/$/, '')}/${id}`;
    const rec: ContainerRecord = {
      id, sandboxId, name: config.name, attempt: config.attempt, image: config.image, labels: config.labels,
      logPath: config.logPath, cgroupsPath, stopSignal: 'TERM', createdAt: Date.now(), startedAt: 0, dir, config,
    };
    try {
      const image = await this.images.imageConfig(config.image.id);
      rec.stopSignal = (image.StopSignal ?? 'SIGTERM').replace(/^SIG/, '');
      const rootfs = await timed('container.rootfs', async () => mountRootfs(dir, await this.images.layerDirs(config.image.id)));
      const hostname = (sb.config.hostNetwork ? '' : sb.config.hostname) || sb.config.name;
      const spec = buildSpec({ config, image, sandbox: sb, rootfs, cgroupsPath, hostname });
      await writeJson(join(dir, 'config.json'), spec);
      await writeJson(join(dir, 'record.json'), rec);
      this.containers.set(id, rec);
      await timed('container.conmon-create', () => createWithConmon({
        id, runtimePath: this.binary.path, runtimeRoot: this.root, bundle: dir, logPath: config.logPath,
        socketDir: join(this.opts.stateDir, 'sock'), stdin: config.stdin, tty: config.tty,
      }));
    } catch (e) {
      await this.removeContainer(id).catch(() => undefined);
      await unmountRootfs(dir).catch(() => undefined);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.mustGet(id);
    // Taken before `start`: a short-lived process may have exited (and been recorded) by the
    // time `start` returns, and finishedAt must never precede startedAt.
    const startedAt = Date.now();
    const r = await timed('container.start', () => run(this.binary.path, [`--root=${this.root}`, 'start', id]));
    if (r.code !== 0) throw new Error(`${this.binary.name} start ${id}: ${r.stderr.trim()}`);
    c.startedAt = startedAt;
    // A successful `start` leaves the init running (runc removed its exec fifo): remember it.
    await this.inits.remember(id, Number((await readFile(join(c.dir, 'pid'), 'utf8').catch(() => '')).trim()));
    await writeJson(join(c.dir, 'record.json'), c);
  }

  /** What `runc state` says, answered from /proc while the init seen running still runs. */
  private state(c: ContainerRecord): Promise<RuntimeState | undefined> {
    return this.inits.state(c.id, () => runtimeState(this.binary.path, this.root, c.id));
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (!c || (await readExit(c.dir, id))) return;
    const st = await this.state(c);
    if (!st || st.status === 'stopped') return;
    if (timeoutSeconds > 0) {
      await run(this.binary.path, [`--root=${this.root}`, 'kill', id, c.stopSignal]);
      if (await this.waitExit(c, timeoutSeconds * 1000)) return;
    }
    await run(this.binary.path, [`--root=${this.root}`, 'kill', id, 'KILL']);
    await this.waitExit(c, 10000);
  }

  /** True once conmon recorded the exit (or the container is gone without conmon). */
  private async waitExit(c: ContainerRecord, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await readExit(c.dir, c.id)) return true;
      const st = await this.state(c);
      if (!st || st.status === 'stopped') {
        // Give conmon a moment to write its exit file after reaping.
        await poll(20);
        if (await readExit(c.dir, c.id)) return true;
        if (!(await conmonAlive(c.dir, c.id))) return true;
      }
      await poll(20);
    }
    return false;
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    this.inits.forget(id);
    await run(this.binary.path, [`--root=${this.root}`, 'delete', '--force', id]);
    await removeCgroupTree(c.cgroupsPath);
    await unmountRootfs(c.dir);
    await rm(c.dir, { recursive: true, force: true });
    this.containers.delete(id);
  }

  async containerStatus(id: string): Promise<ContainerStatus | undefined> {
    const c = this.containers.get(id);
    if (!c) return undefined;
    return containerStatusOf(c, {
      state: () => this.state(c),
      conmonAlive: () => conmonAlive(c.dir, c.id),
      conmonError: () => conmonError(c.dir),
    });
  }

  async listContainers(filter?: { sandboxId?: string }): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const c of [...this.containers.values()]) {
      if (filter?.sandboxId && c.sandboxId !== filter.sandboxId) continue;
      const s = await this.containerStatus(c.id);
      if (s) out.push(s);
    }
    return out;
  }

  async exec(id: string, command: string[], opts: ExecOptions): Promise<number> {
    this.mustGet(id);
    return execInContainer(this.binary.path, this.root, id, command, opts);
  }

  /**
   * Attach (see attach.ts): with stdin to a container created with `stdin: true`, through
   * conmon's attach socket (input, output and terminal resizes); otherwise its output only,
   * followed from the log (kubectl warns itself when the container has no stdin).
   */
  async attach(id: string, opts: ExecOptions): Promise<void> {
    const c = this.mustGet(id);
    if (opts.stdin && c.config.stdin) {
      const io = { stdin: opts.stdin, stdout: opts.stdout, stderr: opts.stderr, signal: opts.signal, ctlPath: conmonCtlPath(c.dir), ...(opts.resize ? { resize: opts.resize } : {}) };
      return attachWithStdin(attachSocketPath(join(this.opts.stateDir, 'sock'), id), io);
    }
    await followOutput(
      { logPath: c.logPath, exited: async () => (await this.containerStatus(id))?.state !== 'running' },
      { stdout: opts.stdout, stderr: opts.stderr, signal: opts.signal },
    );
  }

  async portForward(sandboxId: string, port: number): Promise<Duplex> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb || sb.stopped) throw new Error(`pod sandbox ${sandboxId} is not ready`);
    return forwardPort(sb.netnsName, port);
  }

  async containerStats(id: string): Promise<ContainerStats | undefined> {
    const c = this.containers.get(id);
    return c ? readStats(c.cgroupsPath) : undefined;
  }

  /**
   * The pod's usage from its pod cgroup (CRI PodSandboxStats): everything in the pod, not
   * only the sum of its running containers. Undefined when the cgroup is gone.
   */
  async podSandboxStats(id: string): Promise<ContainerStats | undefined> {
    const sb = this.sandboxes.get(id);
    return sb ? readStats(sb.config.cgroupParent.replace(/\/$/, '')) : undefined;
  }

  /** Tests and agent clean-up: remove every sandbox, the bridge and the node's empty cgroup root. */
  async shutdown(opts: { removeBridge?: boolean; removeCgroupRoots?: boolean } = {}): Promise<void> {
    for (const id of [...this.sandboxes.keys()]) await this.removePodSandbox(id);
    for (const id of [...this.containers.keys()]) await this.removeContainer(id);
    if (opts.removeCgroupRoots) await this.cgroups.removeNodeRoots();
    if (opts.removeBridge) await deleteBridge(this.deps.bridge.name);
  }

  private mustGet(id: string): ContainerRecord {
    const c = this.containers.get(id);
    if (!c) throw new Error(`container ${id} not found`);
    return c;
  }
}
