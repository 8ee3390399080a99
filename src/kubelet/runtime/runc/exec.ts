/**
 * @module `runc exec` of a command in a running container with its stdio piped. Resolves with
 * the exit code; a timeout or abort stops the command (SIGTERM through runc's signal proxy,
 * then SIGKILL). A tty request runs without one: `runc exec -t` needs a console socket that
 * receives the pty master by fd passing (Node cannot), and foreground `runc exec` copies
 * through its own pipes, so a host pty around it does not reach the process (measured).
 */
import { spawn } from 'node:child_process';
import type { ExecOptions } from '../interface.js';

export function execInContainer(runtimePath: string, root: string, id: string, command: string[], opts: ExecOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const argv = [runtimePath, `--root=${root}`, 'exec', id, ...command];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 1000);
    };
    const timeout = opts.timeoutMs ? setTimeout(stop, opts.timeoutMs) : undefined;
    opts.signal?.addEventListener('abort', stop, { once: true });
    if (opts.stdout) child.stdout.pipe(opts.stdout, { end: false });
    else child.stdout.resume();
    if (opts.stderr) child.stderr.pipe(opts.stderr, { end: false });
    else child.stderr.resume();
    if (opts.stdin) {
      opts.stdin.pipe(child.stdin);
      child.stdin.on('error', () => undefined);
    } else child.stdin.end();
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

