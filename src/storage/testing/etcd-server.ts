/**
 * @module Starts a throwaway etcd for tests and benchmarks: Debian's etcd binary, a temporary
 * data dir, free loopback ports, fast elections. Stopped by PID; its data dir is removed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const candidates = ['/usr/bin/etcd', '/usr/local/bin/etcd'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`);
    return res.ok;
  } catch {
    return false;
  }
}

export async function startEtcd(): Promise<{ endpoints: string[]; stop(): Promise<void> } | { skip: string }> {
  const bin = candidates.find((c) => existsSync(c));
  if (!bin) return { skip: 'etcd not installed: apt-get install etcd-server' };
  const dir = await mkdtemp(join(tmpdir(), 'skiff-etcd-'));
  const client = await freePort();
  const peer = await freePort();
  const url = `http://127.0.0.1:${client}`;
  const child = spawn(
    bin,
    [
      '--name', 'skiff-test',
      '--data-dir', dir,
      '--listen-client-urls', url,
      '--advertise-client-urls', url,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `skiff-test=http://127.0.0.1:${peer}`,
      '--heartbeat-interval=10',
      '--election-timeout=100',
      '--log-level', 'error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.env.ETCD_UNSUPPORTED_ARCH ?? '' } },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const stop = async () => {
    if (child.exitCode === null) {
      const closed = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await closed;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await healthy(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`etcd did not start: ${stderr.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { endpoints: [url], stop };
}
