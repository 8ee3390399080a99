/**
 * @module Attach on runc with stdin (output-only attach follows the log file, see
 * ../follow-output.ts). Attach with stdin goes through conmon's attach socket (`<socket-dir>/<id>/attach`, a unix
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
    if (io.signal?.aborted) stop();
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
