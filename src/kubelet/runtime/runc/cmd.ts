/** @module Runs the host tools (runc/crun, ip, mount) the runc runtime drives, capturing output. */
import { spawn } from 'node:child_process';
import { countSpawn } from './trace.js';

export interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; stdin is closed so tools never wait on it. */
export function run(file: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<CmdResult> {
  countSpawn(file);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, sig) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (sig ? 128 + 9 : 1), stdout, stderr });
    });
    // A tool that exits without reading stdin must not crash us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Like `run` but throws with the tool's stderr when it fails. */
export async function must(file: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await run(file, args, opts);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}
