/** The shared runtime suite against the `process` runtime, its path rewriting, and attach with stdin / a tty (the stdio shim). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { parseCriLog } from '../logs.ts';
import type { ContainerConfig, PodSandboxConfig } from './interface.ts';
import { killAllProcesses, ProcessRuntime } from './process.ts';
import { processEnv, rewritePaths } from './process/paths.ts';
import { runtimeSuite } from './testing/runtime.suite.ts';

const hasPython = spawnSync('python3', ['--version']).status === 0;

runtimeSuite('process', (dir) => new ProcessRuntime(dir), { image: 'busybox:1.36', supports: { stats: true, portForward: true } });

it('rewrites mount paths as whole path segments and exposes volumes by name', () => {
  const mounts = [
    { containerPath: '/config', hostPath: '/data/pod/vol/config', readOnly: true, volumeName: 'app-config' },
    { containerPath: '/config/deep', hostPath: '/data/x', readOnly: true },
  ];
  assert.equal(rewritePaths('cat /config/key; ls /configs /config', mounts), 'cat /data/pod/vol/config/key; ls /configs /data/pod/vol/config');
  assert.equal(rewritePaths('/config/deep/a', mounts), '/data/x/a');
  assert.equal(rewritePaths('--path=/config', mounts), '--path=/data/pod/vol/config');
  const env = processEnv([{ name: 'F', value: '/config/f' }], mounts, 'p');
  assert.equal(env.SKIFF_VOLUME_APP_CONFIG, '/data/pod/vol/config');
  assert.equal(env.F, '/data/pod/vol/config/f');
  assert.equal(env.HOSTNAME, 'p');
});

describe('process runtime: attach with stdin', () => {
  let dir: string;
  let rt: ProcessRuntime;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-proc-attach-'));
    rt = new ProcessRuntime(join(dir, 'state'));
  });
  after(async () => {
    await killAllProcesses(join(dir, 'state'));
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (command: string[], io: { stdin?: boolean; stdinOnce?: boolean; tty?: boolean }, runtime = rt) => {
    const i = ++n;
    const sb: PodSandboxConfig = {
      uid: `u${i}`, name: `p${i}`, namespace: 'default', attempt: 0, hostname: `p${i}`, hostNetwork: true, portMappings: [],
      labels: {}, annotations: {}, logDirectory: join(dir, 'logs', `p${i}`), cgroupParent: '',
    };
    const sbId = await runtime.runPodSandbox(sb);
    const cfg: ContainerConfig = {
      name: 'main', attempt: 0, image: await runtime.images.pullImage('busybox'), command, args: [], env: [], mounts: [], resources: {}, security: {},
      logPath: join(sb.logDirectory, 'main', '0.log'), stdin: !!io.stdin, stdinOnce: !!io.stdinOnce, tty: !!io.tty, labels: {}, annotations: {},
    };
    const id = await runtime.createContainer(sbId, cfg, sb);
    await runtime.startContainer(id);
    return { id, log: async () => parseCriLog(await readFile(cfg.logPath, 'utf8').catch(() => '')).map((e) => e.content).join('') };
  };
  const collect = () => {
    const out = { text: '', stream: new PassThrough() };
    out.stream.on('data', (d: Buffer) => (out.text += d.toString()));
    return out;
  };
  const until = async (check: () => Promise<boolean> | boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const echoLoop = ['sh', '-c', 'while read l; do echo "got $l"; done; echo bye'];

  it('stdinOnce: input reaches the process, the end of input closes its stdin, output runs to the exit', { skip: !hasPython }, async () => {
    const c = await run(echoLoop, { stdin: true, stdinOnce: true });
    const stdin = new PassThrough();
    const out = collect();
    stdin.end('one\ntwo\n');
    await rt.attach(c.id, { stdin, stdout: out.stream, tty: false });
    assert.equal(out.text, 'got one\ngot two\nbye\n');
    const st = await rt.containerStatus(c.id);
    assert.equal(st?.state, 'exited');
    assert.equal(st?.exitCode, 0);
  });

  it('reaches a socket whose path is longer than a unix socket address allows', { skip: !hasPython }, async () => {
    const root = join(dir, 'x'.repeat(60), 'state');
    const long = new ProcessRuntime(root);
    const c = await run(echoLoop, { stdin: true, stdinOnce: true }, long);
    const stdin = new PassThrough();
    const out = collect();
    stdin.end('deep\n');
    await long.attach(c.id, { stdin, stdout: out.stream, tty: false });
    assert.ok(join(root, 'containers', c.id, 'attach').length > 108);
    assert.equal(out.text, 'got deep\nbye\n');
    await killAllProcesses(root);
  });

  it('without stdinOnce several sessions reach the same stdin, also from a new runtime instance (kubelet restart)', { skip: !hasPython }, async () => {
    const c = await run(echoLoop, { stdin: true });
    const session = async (runtime: ProcessRuntime, text: string) => {
      const stdin = new PassThrough();
      const out = collect();
      stdin.end(text);
      // A session without stdinOnce ends with its input; the process keeps reading.
      await runtime.attach(c.id, { stdin, stdout: out.stream, tty: false });
    };
    await session(rt, 'first\n');
    await until(async () => (await c.log()) === 'got first\n', 'the first session echoed');
    await session(new ProcessRuntime(join(dir, 'state')), 'second\n');
    await until(async () => (await c.log()) === 'got first\ngot second\n', 'the second session echoed');
    assert.equal((await rt.containerStatus(c.id))?.state, 'running');
    await rt.stopContainer(c.id, 0);
  });

  it('a tty: the process has a terminal, sizes apply, the end of a stdinOnce session sends EOF', { skip: !hasPython }, async () => {
    const c = await run(['sh', '-c', '[ -t 0 ] && echo a-tty; read l; echo "got $l"; stty size; cat; echo done'], { stdin: true, stdinOnce: true, tty: true });
    const stdin = new PassThrough();
    const out = collect();
    async function* sizes() {
      yield { width: 101, height: 33 };
      // Sent once the size frame is on its way, so the reply shows the new size.
      stdin.end('hello\n');
    }
    await rt.attach(c.id, { stdin, stdout: out.stream, tty: true, resize: sizes() });
    await until(async () => (await rt.containerStatus(c.id))?.state === 'exited', 'the tty container exits on EOF');
    assert.match(await c.log(), /a-tty\n[^]*got hello\n33 101\ndone\n$/);
  });

  it('a container without stdin takes no input: the attach is output-only until it ends', async () => {
    const c = await run(['sh', '-c', 'i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.1; done'], {});
    const ac = new AbortController();
    const out = collect();
    const stdin = new PassThrough();
    stdin.end('ignored\n');
    const attached = rt.attach(c.id, { stdin, stdout: out.stream, tty: true, resize: (async function* () { yield { width: 1, height: 1 }; })(), signal: ac.signal });
    await until(() => /tick \d+\n/.test(out.text), 'output through attach');
    ac.abort();
    await attached;
    await rt.stopContainer(c.id, 0);
  });

  it('an exec whose caller already went away is killed at once, not run to its end', async () => {
    const c = await run(['sleep', '30'], {});
    const ac = new AbortController();
    ac.abort();
    const t0 = Date.now();
    await rt.exec(c.id, ['sleep', '20'], { tty: false, signal: ac.signal }).catch(() => -1);
    assert.ok(Date.now() - t0 < 5000, `exec ran ${Date.now() - t0} ms after its caller had gone`);
    await rt.stopContainer(c.id, 0);
  });
});
