/**
 * @module Attach, output side: the container's stdout/stderr as they are written from now on,
 * read back from the CRI log file conmon writes (kubelet-style `P` partials are passed on
 * without a newline). Ends when the container has exited and the log is drained, or on abort.
 * Attach with stdin goes through conmon's attach socket (`<socket-dir>/<id>/attach`, a unix
 * SOCK_SEQPACKET socket Node cannot open) by way of `attach-relay.py`: input to the container's
 * stdin pipe (conmon `--stdin`), output back from the same socket. With a tty (conmon
 * `--terminal`) output is the pty's, and sizes go to conmon's `<bundle>/ctl` fifo as
 * `1 HEIGHT WIDTH` lines (its resize message).
 */
import { spawn } from 'node:child_process';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const relayPath = fileURLToPath(new URL('./attach-relay.py', import.meta.url));

/** conmon's attach socket for container `id` (the `<socket-dir>/<id>` symlink to its bundle). */
export const attachSocketPath = (socketDir: string, id: string) => join(socketDir, id, 'attach');
/** conmon's control fifo in the bundle (resize and log-reopen messages). */
export const conmonCtlPath = (bundle: string) => join(bundle, 'ctl');

/**
 * Streams `stdin` into the container's stdin and its output to `stdout`/`stderr` through conmon's
 * attach socket. Resolves when conmon closes the socket (the container exited) or on abort. An
 * end of `stdin` hangs up the write side: conmon then closes the container's stdin, as
 * `stdinOnce` containers expect (conmon is not given --leave-stdin-open).
 */
export function attachWithStdin(
  socket: string,
  io: { stdin: Readable; stdout?: Writable; stderr?: Writable; signal?: AbortSignal; resize?: AsyncIterable<{ width: number; height: number }>; ctlPath?: string },
): Promise<void> {
  if (io.resize && io.ctlPath) void sendResizes(io.ctlPath, io.resize, io.signal);
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [relayPath, socket], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stop = () => child.kill('SIGTERM');
    io.signal?.addEventListener('abort', stop, { once: true });
    if (io.stdout) child.stdout.pipe(io.stdout, { end: false });
    else child.stdout.resume();
    let relayErr = '';
    if (io.stderr) child.stderr.pipe(io.stderr, { end: false });
    else child.stderr.on('data', (d: Buffer) => (relayErr = (relayErr + d.toString()).slice(-500)));
    io.stdin.pipe(child.stdin);
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (code) => {
      io.signal?.removeEventListener('abort', stop);
      io.stdin.unpipe(child.stdin);
      if (code === 0 || io.signal?.aborted) resolve();
      else reject(new Error(`attach to ${socket} failed (relay exit ${code})${relayErr ? `: ${relayErr.trim()}` : ''}`));
    });
  });
}

/** Terminal sizes to conmon's ctl fifo (message type 1: resize). */
async function sendResizes(ctlPath: string, sizes: AsyncIterable<{ width: number; height: number }>, signal?: AbortSignal): Promise<void> {
  let ctl: FileHandle | undefined;
  try {
    // conmon holds the read end open for the container's life, so this open does not block.
    ctl = await open(ctlPath, 'w');
    for await (const s of sizes) {
      if (signal?.aborted) return;
      await ctl.write(`1 ${Math.max(0, Math.trunc(s.height))} ${Math.max(0, Math.trunc(s.width))}\n`);
    }
  } catch {
    // The container (and its conmon) went away, or the size stream ended with the session.
  } finally {
    await ctl?.close().catch(() => undefined);
  }
}

const lineRe = /^(\S+) (stdout|stderr) ([FP]) (.*)$/;

export interface AttachTarget {
  logPath: string;
  /** Resolves true once the container has exited. */
  exited(): Promise<boolean>;
}

export async function followOutput(t: AttachTarget, out: { stdout?: Writable; stderr?: Writable; signal?: AbortSignal }): Promise<void> {
  let fh = await open(t.logPath, 'r').catch(() => undefined);
  let pos = fh ? (await fh.stat()).size : 0;
  let rest = '';
  const buf = Buffer.alloc(64 * 1024);
  try {
    for (;;) {
      if (out.signal?.aborted) return;
      const done = await t.exited();
      // The log file appears when the container starts.
      fh ??= await open(t.logPath, 'r').catch(() => undefined);
      let n = 0;
      if (fh) {
        ({ bytesRead: n } = await fh.read(buf, 0, buf.length, pos));
        pos += n;
      }
      if (n > 0) {
        rest += buf.subarray(0, n).toString('utf8');
        const lines = rest.split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          const m = lineRe.exec(line);
          if (!m) continue;
          const w = m[2] === 'stdout' ? out.stdout : out.stderr;
          w?.write(m[3] === 'F' ? `${m[4]}\n` : m[4]);
        }
        continue;
      }
      if (done) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await fh?.close();
  }
}
