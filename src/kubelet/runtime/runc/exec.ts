/**
 * @module `runc exec` of a command in a running container with its stdio piped. Resolves with
 * the exit code; a timeout or abort stops the command (SIGTERM through runc's signal proxy, or
 * through the relay with a tty, then SIGKILL). A tty request goes through `console-relay.py`:
 * `runc exec -t` hands the pty master over a console socket by fd passing, which Node cannot
 * receive, and foreground `runc exec -t` sizes the pty from its own stdin, which is a pipe here.
 * Without python3 the command runs without a terminal and says so on stderr.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';
import type { ExecOptions } from '../interface.js';

const relayPath = fileURLToPath(new URL('./console-relay.py', import.meta.url));
let python: boolean | undefined;

/** True when `python3` runs (checked once per process). */
export function havePython3(): boolean {
  python ??= spawnSync('python3', ['-c', 'import socket; socket.recv_fds'], { stdio: 'ignore' }).status === 0;
  return python;
}

export function execInContainer(runtimePath: string, root: string, id: string, command: string[], opts: ExecOptions): Promise<number> {
  const tty = opts.tty && havePython3();
  if (opts.tty && !tty) (opts.stderr ?? opts.stdout)?.write('skiff: python3 (3.9+) is not installed on this node; running without a terminal\r\n');
  return new Promise((resolve, reject) => {
    const argv = tty ? ['python3', relayPath, runtimePath, root, id, ...command] : [runtimePath, `--root=${root}`, 'exec', id, ...command];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe', tty ? 'pipe' : 'ignore'] }) as ChildProcessWithoutNullStreams;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 1000);
    };
    const timeout = opts.timeoutMs ? setTimeout(stop, opts.timeoutMs) : undefined;
    opts.signal?.addEventListener('abort', stop, { once: true });
    if (opts.signal?.aborted) stop();
    if (opts.stdout) child.stdout.pipe(opts.stdout, { end: false });
    else child.stdout.resume();
    // With a tty the relay's stderr holds only runc's own errors: they belong on the terminal.
    const errOut = opts.stderr ?? (tty ? opts.stdout : undefined);
    if (errOut) child.stderr.pipe(errOut, { end: false });
    else child.stderr.resume();
    if (opts.stdin) {
      opts.stdin.pipe(child.stdin);
      child.stdin.on('error', () => undefined);
    } else child.stdin.end();
    if (tty && opts.resize) void sendResizes(opts.resize, child.stdio[3] as Writable);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      if (timeout) clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', stop);
      if (opts.stdin) opts.stdin.unpipe(child.stdin);
      resolve(code ?? (sig === 'SIGKILL' ? 137 : 143));
    });
  });
}

/** Terminal sizes to the relay's fd 3 as `WIDTH HEIGHT` lines. */
async function sendResizes(sizes: AsyncIterable<{ width: number; height: number }>, side: Writable): Promise<void> {
  side.on('error', () => undefined);
  try {
    for await (const s of sizes) {
      if (side.destroyed) return;
      side.write(`${Math.max(0, Math.trunc(s.width))} ${Math.max(0, Math.trunc(s.height))}\n`);
    }
  } catch {
    // The resize source ended with the stream; nothing to tell the terminal.
  }
}
