/**
 * Acceptance: the `skiff server` executable starts, writes a kubeconfig kubectl uses as is,
 * refuses requests without credentials, stops cleanly on SIGTERM and keeps every object across
 * a restart on the same data dir.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, haveKubectl, kubectlFor } from '../support/kubectl.ts';

const skiff = fileURLToPath(new URL('../../bin/skiff', import.meta.url));

function startSkiff(dataDir: string): { child: ChildProcess; output: () => string } {
  const child = spawn(skiff, ['server', '--data-dir', dataDir, '--port', '0', '--disable-agent', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

async function stopSkiff(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  child.kill('SIGTERM');
  return closed;
}

function getStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/namespaces`, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('skiff server executable', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('serves kubectl, rejects anonymous requests, and keeps objects across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'skiff-restart-'));
    const home = await mkdtemp(join(tmpdir(), 'skiff-home-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }), () => rm(home, { recursive: true, force: true }));
    const kubeconfig = join(dataDir, 'kubeconfig.yaml');

    let s = startSkiff(dataDir);
    cleanup.push(() => stopSkiff(s.child));
    await eventually(() => /Kubeconfig: /.test(s.output()), 30_000, 'server to print its kubeconfig');
    assert.match(s.output(), /Try: KUBECONFIG=.*kubectl get namespaces/);
    const kubectl = kubectlFor(kubeconfig, home);
    await kubectl.ok(['create', 'namespace', 'keep']);
    await kubectl.ok(['create', 'configmap', 'survivor', '-n', 'keep', '--from-literal=a=b']);

    const url = /Skiff is running at (\S+)/.exec(s.output())![1]!;
    const ca = await readFile(join(dataDir, 'tls', 'ca.crt'), 'utf8');
    assert.equal(await getStatus(url, ca), 401);

    assert.equal(await stopSkiff(s.child), 0);
    s = startSkiff(dataDir);
    cleanup.push(() => stopSkiff(s.child));
    await eventually(() => /Kubeconfig: /.test(s.output()), 30_000, 'server to restart');
    const again = kubectlFor(kubeconfig, home);
    assert.equal(await again.ok(['get', 'cm', 'survivor', '-n', 'keep', '-o', 'jsonpath={.data.a}']), 'b');
    assert.match(await again.ok(['get', 'ns', 'keep']), /keep\s+Active/);
    assert.equal(await stopSkiff(s.child), 0);
  });
});
