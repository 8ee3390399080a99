/**
 * @module The shared suite every container runtime passes (as storage drivers share
 * backend.suite.ts): sandbox lifecycle, create/start/stop/remove, exit codes, CRI-format logs,
 * exec with stdout/stderr/exit code, graceful stop (SIGTERM, then SIGKILL after the timeout)
 * and restart safety (a new instance over the same state lists the running containers).
 * Usage: `runtimeSuite('runc', (stateDir) => createRuncRuntime({...}), { image: '127.0.0.1:5000/busybox:1.36', supports: {...} })`.
 * Commands use only `sh`, `echo`, `sleep`, `cat` so they run on busybox images and on hosts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { parseCriLog } from '../../logs.ts';
import type { ContainerConfig, PodSandboxConfig, Runtime } from '../interface.ts';

export interface SuiteOptions {
  /** The image the test containers run. */
  image: string;
  supports?: { portForward?: boolean; stats?: boolean };
  /** Runs before any test (e.g. start a registry and push the image). */
  setup?: () => Promise<void>;
  teardown?: () => Promise<void>;
}

async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

export function runtimeSuite(name: string, makeRuntime: (stateDir: string) => Runtime | Promise<Runtime>, opts: SuiteOptions): void {
  describe(`runtime suite: ${name}`, () => {
    let dir: string;
    let rt: Runtime;
    let n = 0;
    const sandboxes: string[] = [];

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), `skiff-rt-${name}-`));
      await opts.setup?.();
      rt = await makeRuntime(join(dir, 'state'));
    });
    after(async () => {
      for (const id of sandboxes) await rt.removePodSandbox(id).catch(() => {});
      await opts.teardown?.();
      await rm(dir, { recursive: true, force: true });
    });

    const sandboxConfig = (): PodSandboxConfig => {
      const i = ++n;
      return {
        uid: `uid-${i}`, name: `pod-${i}`, namespace: 'default', attempt: 0, hostname: `pod-${i}`, hostNetwork: false,
        portMappings: [], labels: { suite: name }, annotations: {}, logDirectory: join(dir, 'logs', `pod-${i}`), cgroupParent: `/skiff-suite/pod-${i}`,
      };
    };
    const containerConfig = (sb: PodSandboxConfig, cname: string, command: string[]): ContainerConfig => ({
      name: cname, attempt: 0, image: { name: opts.image, id: '' }, command, args: [], env: [{ name: 'GREETING', value: 'hello' }],
      mounts: [], resources: {}, security: {}, logPath: join(sb.logDirectory, cname, '0.log'), stdin: false, stdinOnce: false, tty: false,
      labels: { container: cname }, annotations: {},
    });
    const start = async (command: string[]) => {
      const sb = sandboxConfig();
      const sbId = await rt.runPodSandbox(sb);
      sandboxes.push(sbId);
      const image = await rt.images.pullImage(opts.image);
      const cfg = { ...containerConfig(sb, 'main', command), image };
      const id = await rt.createContainer(sbId, cfg, sb);
      await rt.startContainer(id);
      return { sb, sbId, id, cfg };
    };
    const exited = (id: string) => until(async () => (await rt.containerStatus(id))?.state === 'exited', 10_000, `container ${id} to exit`);

    it('reports a name and version', async () => {
      const v = await rt.version();
      assert.ok(v.runtimeName.length > 0 && v.runtimeVersion.length > 0);
    });

    it('runs a sandbox through ready, notready and removal', async () => {
      const sb = sandboxConfig();
      const id = await rt.runPodSandbox(sb);
      const st = await rt.podSandboxStatus(id);
      assert.equal(st?.state, 'ready');
      assert.equal(st?.uid, sb.uid);
      assert.ok((await rt.listPodSandboxes()).some((s) => s.id === id));
      await rt.stopPodSandbox(id);
      assert.equal((await rt.podSandboxStatus(id))?.state, 'notready');
      await rt.stopPodSandbox(id); // idempotent
      await rt.removePodSandbox(id);
      assert.equal(await rt.podSandboxStatus(id), undefined);
    });

    it('creates, starts and reports exit codes', async () => {
      const ok = await start(['sh', '-c', 'exit 0']);
      const bad = await start(['sh', '-c', 'exit 3']);
      await exited(ok.id);
      await exited(bad.id);
      const a = await rt.containerStatus(ok.id);
      const b = await rt.containerStatus(bad.id);
      assert.equal(a?.exitCode, 0);
      assert.equal(a?.reason, 'Completed');
      assert.equal(b?.exitCode, 3);
      assert.equal(b?.reason, 'Error');
      assert.ok((b?.startedAt ?? 0) > 0 && (b?.finishedAt ?? 0) >= (b?.startedAt ?? 0));
      assert.equal(b?.name, 'main');
      assert.ok((await rt.listContainers({ sandboxId: bad.sbId })).some((c) => c.id === bad.id));
      await rt.removeContainer(bad.id);
      assert.equal(await rt.containerStatus(bad.id), undefined);
    });

    it('writes stdout and stderr as CRI log lines', async () => {
      const c = await start(['sh', '-c', 'echo "$GREETING out"; echo err >&2; printf partial']);
      await exited(c.id);
      await until(async () => (await readFile(c.cfg.logPath, 'utf8').catch(() => '')).includes('partial'), 5000, 'log lines');
      const raw = await readFile(c.cfg.logPath, 'utf8');
      for (const line of raw.trim().split('\n')) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) (stdout|stderr) [FP] /);
      const entries = parseCriLog(raw);
      assert.ok(entries.some((e) => e.stream === 'stdout' && e.content === 'hello out\n'));
      assert.ok(entries.some((e) => e.stream === 'stderr' && e.content === 'err\n'));
      assert.ok(entries.some((e) => e.content.startsWith('partial')));
    });

    it('execs in a running container with stdout, stderr and exit code', async () => {
      const c = await start(['sleep', '3600']);
      assert.equal((await rt.containerStatus(c.id))?.state, 'running');
      const out = new Collect();
      const err = new Collect();
      const code = await rt.exec(c.id, ['sh', '-c', 'echo "$GREETING"; echo oops >&2; exit 7'], { tty: false, stdout: out, stderr: err });
      assert.equal(code, 7);
      assert.equal(out.text, 'hello\n');
      assert.equal(err.text, 'oops\n');
      const slow = await rt.exec(c.id, ['sleep', '30'], { tty: false, timeoutMs: 200 });
      assert.notEqual(slow, 0);
      await rt.stopContainer(c.id, 0);
    });

    it('stops with SIGTERM, and SIGKILL after the grace period', async () => {
      const polite = await start(['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done']);
      const stubborn = await start(['sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']);
      await new Promise((r) => setTimeout(r, 200)); // let the shells install their traps
      let t = Date.now();
      await rt.stopContainer(polite.id, 10);
      assert.ok(Date.now() - t < 5000, 'a process that exits on SIGTERM stops before the timeout');
      assert.equal((await rt.containerStatus(polite.id))?.exitCode, 0);
      t = Date.now();
      await rt.stopContainer(stubborn.id, 1);
      const took = Date.now() - t;
      assert.ok(took >= 900, `SIGKILL only after the timeout (took ${took} ms)`);
      const st = await rt.containerStatus(stubborn.id);
      assert.equal(st?.state, 'exited');
      assert.equal(st?.exitCode, 137);
    });

    it('a new runtime instance over the same state finds running containers', async () => {
      const c = await start(['sleep', '3600']);
      const before = await rt.containerStatus(c.id);
      const again = await makeRuntime(join(dir, 'state'));
      const st = await again.containerStatus(c.id);
      assert.equal(st?.state, 'running');
      assert.equal(st?.pid, before?.pid);
      assert.ok((await again.listContainers()).some((x) => x.id === c.id && x.state === 'running'));
      assert.ok((await again.listPodSandboxes()).some((s) => s.id === c.sbId));
      await again.stopContainer(c.id, 0);
      assert.equal((await rt.containerStatus(c.id))?.state, 'exited');
    });

    it('stopping a sandbox stops its containers', async () => {
      const c = await start(['sleep', '3600']);
      await rt.stopPodSandbox(c.sbId);
      assert.equal((await rt.containerStatus(c.id))?.state, 'exited');
    });

    if (opts.supports?.stats)
      it('reports stats of a running container', async () => {
        const c = await start(['sleep', '3600']);
        await until(async () => ((await rt.containerStats(c.id))?.memoryUsageBytes ?? 0) > 0, 5000, 'memory usage');
        const s = await rt.containerStats(c.id);
        assert.ok(s && s.cpuUsageNanos >= 0 && s.timestamp > 0);
        await rt.stopContainer(c.id, 0);
      });
  });
}
