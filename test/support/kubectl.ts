/**
 * Runs the real kubectl against a test server, with a private HOME so its discovery and HTTP
 * caches never leak between tests (see shared/k8s/machine-notes.md).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export const kubectlPath = '/usr/bin/kubectl';
export const haveKubectl = existsSync(kubectlPath);

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Kubectl {
  (args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** Like the call, but throws with stderr when the exit code is not 0. */
  ok(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<string>;
  /** Starts a long-running kubectl (e.g. `get -w`), collecting stdout as it arrives. */
  spawn(args: string[]): { output(): string; stop(): Promise<KubectlResult> };
  env: NodeJS.ProcessEnv;
}

export function kubectlFor(kubeconfig: string, home: string): Kubectl {
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig, HOME: home, KUBECACHEDIR: `${home}/.kube/cache` };
  const run = (args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(kubectlPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(opts.input ?? '');
    });
  const k = run as Kubectl;
  k.env = env;
  k.ok = async (args, opts) => {
    const r = await run(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\n${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  k.spawn = (args) => {
    const child = spawn(kubectlPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
    return {
      output: () => stdout,
      async stop() {
        if (child.exitCode === null) child.kill('SIGTERM');
        const code = await closed;
        return { code, stdout, stderr };
      },
    };
  };
  return k;
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
