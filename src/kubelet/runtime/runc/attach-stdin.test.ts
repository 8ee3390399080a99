/**
 * @module Attach with stdin (and tty) through conmon's attach socket, on real containers:
 * conmon started with `--stdin` (supervise.ts) runs `cat`; bytes sent through
 * `attachWithStdin` come back on stdout, and ending our stdin closes the container's (cat exits
 * 0). With `--terminal` the process has a pty and a resize reaches it through conmon's ctl fifo.
 * Root, runc, conmon and python3 needed; skips otherwise.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { attachSocketPath, attachWithStdin, conmonCtlPath } from './attach.js';
import { findBinary } from './binary.js';
import { run } from './cmd.js';
import { havePython3 } from './exec.js';
import { createWithConmon, readExit } from './supervise.js';
import { buildBusyboxLayer } from './test-rootfs.js';

const runc = findBinary('runc');
const skip = process.getuid?.() !== 0 ? 'needs root' : !runc ? 'runc not installed' : !findBinary('conmon') ? 'conmon not installed' : !havePython3() ? 'python3 not installed' : false;

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('attach with stdin (conmon --stdin / --terminal)', { skip }, () => {
  let dir = '';
  let layer = '';
  const ids: string[] = [];
  const root = () => join(dir, 'root');
  const socketDir = () => join(dir, 'sock');

  /** A started container running `args` under conmon; returns its bundle. */
  async function startContainer(id: string, args: string[], tty: boolean): Promise<string> {
    const bundle = join(dir, id);
    await mkdir(bundle);
    const gen = await run(runc!, ['spec', '-b', bundle]);
    assert.equal(gen.code, 0, gen.stderr);
    const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as { process: { terminal: boolean; args: string[] }; root: { path: string; readonly: boolean } };
    spec.process.terminal = tty;
    spec.process.args = args;
    spec.root = { path: layer, readonly: false };
    await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
    ids.push(id);
    await createWithConmon({ id, runtimePath: runc!, runtimeRoot: root(), bundle, logPath: join(bundle, 'ctr.log'), socketDir: socketDir(), stdin: true, tty });
    const started = await run(runc!, [`--root=${root()}`, 'start', id]);
    assert.equal(started.code, 0, started.stderr);
    return bundle;
  }
  const collector = () => {
    const o = { text: '', stream: undefined as unknown as Writable };
    o.stream = new Writable({ write: (chunk: Buffer, _e, cb) => ((o.text += chunk.toString()), cb()) });
    return o;
  };

  before(async () => {
    if (skip) return;
    dir = await mkdtemp('/tmp/skatt-');
    layer = await buildBusyboxLayer(dir);
  });
  after(async () => {
    if (!dir) return;
    for (const id of ids) await run(runc!, [`--root=${root()}`, 'delete', '-f', id]);
    await rm(dir, { recursive: true, force: true });
  });

  it('echoes input back from a cat container and ends with its stdin', async () => {
    const id = `skatt${process.pid}a`;
    const bundle = await startContainer(id, ['cat'], false);
    const stdin = new PassThrough();
    const out = collector();
    const done = attachWithStdin(attachSocketPath(socketDir(), id), { stdin, stdout: out.stream, signal: AbortSignal.timeout(15_000) });
    stdin.write('hello attach\n');
    await until(() => out.text.includes('hello attach\n'), 'the echo');
    assert.equal(out.text, 'hello attach\n');
    stdin.end('bye\n');
    await done;
    assert.equal(out.text, 'hello attach\nbye\n');
    // cat saw the end of its input: the container exited by itself, with 0.
    assert.equal((await until(() => readExit(bundle, id), 'the exit')).exitCode, 0);
    assert.match(await readFile(join(bundle, 'ctr.log'), 'utf8'), / stdout F hello attach\n/);
  });

  it('with a tty the process has a terminal that follows resizes', async () => {
    const id = `skatt${process.pid}t`;
    await startContainer(id, ['sh', '-c', 'tty; while read x; do echo "got $x"; stty size; done'], true);
    const stdin = new PassThrough();
    const out = collector();
    const sizes = new PassThrough({ objectMode: true });
    const ctl = new AbortController();
    const done = attachWithStdin(attachSocketPath(socketDir(), id), { stdin, stdout: out.stream, signal: ctl.signal, resize: sizes, ctlPath: conmonCtlPath(join(dir, id)) });
    // `tty` ran before we attached: it is in the log.
    await until(async () => (await readFile(join(dir, id, 'ctr.log'), 'utf8')).includes('/dev/pts/'), 'tty output');
    sizes.write({ width: 123, height: 45 });
    // The resize travels separately (ctl fifo): ask for the size until the new one shows.
    await until(() => {
      stdin.write('typed\r');
      return out.text.includes('45 123');
    }, `stty size in ${JSON.stringify(out.text)}`);
    // The pty's line discipline echoes input (CR → CRLF) before the shell answers.
    assert.match(out.text, /typed\r\ngot typed\r\n/);
    ctl.abort();
    sizes.end();
    await done;
  });
});
