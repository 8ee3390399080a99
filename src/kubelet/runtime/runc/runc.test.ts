/**
 * Real containers through runc and crun (root only): pod networking, shared volumes and
 * localhost, exit codes, OOMKilled, CPU quota, exec, CRI logs, graceful stop and restart safety.
 */
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { silentLogger } from '../../../util/log.js';
import type { ContainerConfig, PodSandboxConfig } from '../interface.js';
import { removeCgroupTree } from './cgroups.js';
import { createRuncRuntime, destroyRuncState, type RuncRuntime } from './index.js';
import { buildBusyboxLayer, LocalImageService, runcSkipReason, TEST_IMAGE_ID } from './test-rootfs.js';

async function until<T>(fn: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

for (const [i, binary] of (['runc', 'crun'] as const).entries()) {
  const skip = runcSkipReason(binary);
  describe(`runc runtime (${binary})`, { skip }, () => {
    let dir: string;
    let images: LocalImageService;
    let rt: RuncRuntime;
    let n = 0;
    const opts = () => ({ stateDir: join(dir, 'state'), images, binary, bridge: `skt${binary}`, podCidr: `10.231.${i + 1}.0/24`, logger: silentLogger });

    before(async () => {
      dir = await mkdtemp(`/tmp/skr-${binary}-`);
      images = new LocalImageService(await buildBusyboxLayer(dir));
      rt = await createRuncRuntime(opts());
    });
    after(async () => {
      // A fresh instance sees everything on disk, including what other instances made.
      if (rt) await destroyRuncState(opts().stateDir, silentLogger, { removeBridge: true, bridge: opts().bridge });
      await removeCgroupTree(`/skiff-test-${binary}`);
      await rm(dir, { recursive: true, force: true });
    });

    const sandbox = (extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig => {
      const k = ++n;
      return {
        uid: `0000${k}-uid`, name: `pod-${k}`, namespace: 'default', attempt: 0, hostname: `pod-${k}`, hostNetwork: false,
        portMappings: [], labels: {}, annotations: {}, logDirectory: join(dir, 'logs', `pod-${k}`), cgroupParent: `/skiff-test-${binary}/pod${k}`,
        ...extra,
      };
    };
    const container = (sb: PodSandboxConfig, name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
      name, attempt: 0, image: { name: 'busybox', id: TEST_IMAGE_ID }, command, args: [], env: [], mounts: [], resources: {},
      security: {}, logPath: join(sb.logDirectory, name, '0.log'), stdin: false, stdinOnce: false, tty: false, labels: {}, annotations: {},
      ...extra,
    });
    const startPod = async (sb: PodSandboxConfig, ...ctrs: ContainerConfig[]) => {
      const sbId = await rt.runPodSandbox(sb);
      const ids: string[] = [];
      for (const c of ctrs) {
        const id = await rt.createContainer(sbId, c, sb);
        await rt.startContainer(id);
        ids.push(id);
      }
      return { sbId, ids };
    };
    const exited = (id: string, ms = 10000) =>
      until(async () => {
        const s = await rt.containerStatus(id);
        return s?.state === 'exited' ? s : undefined;
      }, ms, `container ${id} to exit`);

    it('serves httpd on the pod IP from the host, with CPU quota and stats', async () => {
      const www = join(dir, 'www1');
      await mkdir(www);
      await writeFile(join(www, 'index.html'), 'hello from a pod\n');
      const sb = sandbox();
      const { sbId, ids } = await startPod(sb, container(sb, 'web', ['httpd', '-f', '-p', '8080', '-h', '/www'], {
        mounts: [{ containerPath: '/www', hostPath: www, readOnly: true }],
        resources: { cpuLimitMillis: 200, memoryLimitBytes: 64 * 1024 * 1024 },
      }));
      const st = await rt.podSandboxStatus(sbId);
      assert.match(st!.ip, new RegExp(`^10\\.231\\.${i + 1}\\.\\d+$`));
      const body = await until(async () => (await fetch(`http://${st!.ip}:8080/`)).text(), 5000, 'httpd to answer');
      assert.equal(body, 'hello from a pod\n');
      const cg = `/sys/fs/cgroup/cpu/skiff-test-${binary}/pod${n}/${ids[0]}`;
      assert.equal((await readFile(join(cg, 'cpu.cfs_quota_us'), 'utf8')).trim(), '20000');
      const stats = await rt.containerStats(ids[0]!);
      assert.ok(stats && stats.memoryUsageBytes > 0 && stats.cpuUsageNanos > 0, 'stats from the cgroup');
      const out = new Collect();
      assert.equal(await rt.exec(ids[0]!, ['cat', '/etc/hostname'], { tty: false, stdout: out }), 0);
      assert.equal(out.text.trim(), sb.name);
      assert.equal(await rt.exec(ids[0]!, ['sh', '-c', 'exit 5'], { tty: false }), 5);
      const attached = new Collect();
      const ac = new AbortController();
      const att = rt.attach(ids[0]!, { tty: false, stdout: attached, signal: ac.signal });
      // Repeat: attach starts at the log's end, which it reads asynchronously.
      await until(async () => {
        await rt.exec(ids[0]!, ['sh', '-c', 'echo to-pid1-stdout > /proc/1/fd/1'], { tty: false });
        return attached.text.includes('to-pid1-stdout\n');
      }, 5000, 'attach to see output');
      ac.abort();
      await att;
      const pf = await rt.portForward(sbId, 8080);
      const got = new Promise<string>((resolve) => {
        let t = '';
        pf.on('data', (d: Buffer) => (t += d.toString()));
        pf.on('end', () => resolve(t));
      });
      pf.write('GET / HTTP/1.0\r\n\r\n');
      assert.match(await got, /hello from a pod/);
      await rt.removePodSandbox(sbId);
      assert.equal(await rt.podSandboxStatus(sbId), undefined);
    });

    it('two containers share a volume and localhost; logs are CRI lines; exit codes', async () => {
      const data = join(dir, 'shared');
      await mkdir(data);
      const sb = sandbox();
      const vol = [{ containerPath: '/data', hostPath: data, readOnly: false }];
      const { ids } = await startPod(sb,
        container(sb, 'server', ['sh', '-c', 'echo shared-file > /data/x; exec httpd -f -p 9000 -h /data'], { mounts: vol }),
        container(sb, 'client', ['sh', '-c', 'until wget -q -O /dev/null http://127.0.0.1:9000/x; do sleep 0.1; done; cat /data/x; wget -q -O - http://127.0.0.1:9000/x; echo oops >&2; exit 3'], { mounts: vol }),
      );
      const s = await exited(ids[1]!);
      assert.equal(s.exitCode, 3);
      assert.equal(s.reason, 'Error');
      const log = await readFile(join(sb.logDirectory, 'client', '0.log'), 'utf8');
      const lines = log.trim().split('\n');
      for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) (stdout|stderr) [FP] /);
      assert.equal(lines.filter((l) => / stdout F shared-file$/.test(l)).length, 2);
      assert.ok(lines.some((l) => / stderr F oops$/.test(l)));
    });

    it('reports OOMKilled (137) for a container over its memory limit', async () => {
      const sb = sandbox();
      const { ids } = await startPod(sb, container(sb, 'hog', ['tail', '/dev/zero'], { resources: { memoryLimitBytes: 16 * 1024 * 1024 } }));
      const s = await exited(ids[0]!, 20000);
      assert.equal(s.exitCode, 137);
      assert.equal(s.reason, 'OOMKilled');
      const ok = await startPod(sb, container(sb, 'done', ['true']));
      const done = await exited(ok.ids[0]!);
      assert.deepEqual([done.exitCode, done.reason, done.message], [0, 'Completed', '']);
    });

    it('stops with SIGTERM, then SIGKILL after the timeout', async () => {
      const sb = sandbox();
      const { ids } = await startPod(sb,
        container(sb, 'polite', ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done']),
        container(sb, 'stubborn', ['sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']),
      );
      await until(async () => (await rt.containerStatus(ids[1]!))?.state === 'running', 5000, 'running');
      await new Promise((r) => setTimeout(r, 200)); // let the shells install their traps
      let t0 = Date.now();
      await rt.stopContainer(ids[0]!, 10);
      assert.ok(Date.now() - t0 < 5000);
      assert.equal((await rt.containerStatus(ids[0]!))!.exitCode, 0);
      t0 = Date.now();
      await rt.stopContainer(ids[1]!, 1);
      assert.ok(Date.now() - t0 >= 1000, 'waited the grace period');
      assert.equal((await rt.containerStatus(ids[1]!))!.exitCode, 137);
    });

    it('containers outlive the process that started them', async () => {
      const sb = sandbox();
      const modUrl = new URL('./index.ts', import.meta.url).href;
      const rootfsUrl = new URL('./test-rootfs.ts', import.meta.url).href;
      const script = `
        const { createRuncRuntime } = await import(${JSON.stringify(modUrl)});
        const { LocalImageService, TEST_IMAGE_ID } = await import(${JSON.stringify(rootfsUrl)});
        const o = ${JSON.stringify({ ...opts(), images: undefined, logger: undefined })};
        const rt = await createRuncRuntime({ ...o, images: new LocalImageService(${JSON.stringify(join(dir, 'layer'))}), logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } } });
        const sb = ${JSON.stringify(sb)};
        const sbId = await rt.runPodSandbox(sb);
        const id = await rt.createContainer(sbId, { ...${JSON.stringify(container(sb, 'orphan', ['sleep', '600']))}, image: { name: 'busybox', id: TEST_IMAGE_ID } }, sb);
        await rt.startContainer(id);
        process.stdout.write(JSON.stringify({ sbId, id }));
        process.exit(0);`;
      const { execFileSync } = await import('node:child_process');
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), timeout: 30000 });
      const { sbId, id } = JSON.parse(out.toString()) as { sbId: string; id: string };
      const rt3 = await createRuncRuntime(opts());
      const s = await rt3.containerStatus(id);
      assert.equal(s?.state, 'running');
      assert.equal((await rt3.podSandboxStatus(sbId))?.state, 'ready');
      await rt3.stopContainer(id, 2);
      const e = await rt3.containerStatus(id);
      assert.deepEqual([e?.state, e?.exitCode], ['exited', 137]); // sleep as PID 1 ignores SIGTERM
      await rt3.removePodSandbox(sbId);
    });

    it('a new runtime instance finds running containers and sees them die', async () => {
      const sb = sandbox();
      const { ids } = await startPod(sb, container(sb, 'sleeper', ['sleep', '600']));
      const rt2 = await createRuncRuntime(opts());
      const s = await rt2.containerStatus(ids[0]!);
      assert.equal(s?.state, 'running');
      assert.ok(s.pid && s.pid > 0);
      assert.equal((await rt2.listPodSandboxes()).filter((p) => p.name === sb.name && p.state === 'ready').length, 1);
      process.kill(s.pid, 'SIGKILL');
      const e = await until(async () => {
        const x = await rt2.containerStatus(ids[0]!);
        return x?.state === 'exited' ? x : undefined;
      }, 10000, 'exit seen by the new instance');
      assert.equal(e.exitCode, 137);
      assert.equal(e.reason, 'Error');
    });
  });
}
