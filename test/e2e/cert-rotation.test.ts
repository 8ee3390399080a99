/**
 * Acceptance: an agent that joined with a bootstrap token renews its client certificate before
 * it expires. The cluster signs certificates for 15 s (`clusterSigningDurationSeconds`); the
 * agent (`skiff agent --server --token`, a child process) asks for new ones as the node itself
 * through `kube-apiserver-client-kubelet` CSRs, swaps them into its live connection, and its
 * Node stays Ready with the Lease renewing well past the first certificate's expiry.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const skiff = fileURLToPath(new URL('../../bin/skiff', import.meta.url));

describe('certificate rotation', { skip: !haveKubectl && 'kubectl not installed' }, () => {
  let c: TestCluster;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-certrot-'));
    c = await startCluster({ datastore: 'memory', controllerOptions: { clusterSigningDurationSeconds: 15 } });
  });
  after(async () => {
    await c?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a joined agent renews its client certificate before expiry and stays Ready past it', async () => {
    const token = (await readFile(join(c.dataDir, 'token'), 'utf8')).trim();
    const agentDir = join(dir, 'agent');
    let output = '';
    const child: ChildProcess = spawn(skiff, ['agent', '--runtime', 'sim', '--name', 'rot-1', '--server', c.server.url, '--token', token, '--data-dir', agentDir, '--lease-renew-interval', '500', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const renewTime = async () => (await c.kubectl(['get', 'lease', 'rot-1', '-n', 'kube-node-lease', '-o', 'jsonpath={.spec.renewTime}'])).stdout;
    const selfCsrs = async () => (await c.kubectl.ok(['get', 'csr', '--no-headers'])).split('\n').filter((l) => /kube-apiserver-client-kubelet\s+system:node:rot-1\s/.test(l));
    try {
      await eventually(async () => /rot-1\s+Ready\s/.test(await c.kubectl.ok(['get', 'nodes'])), 45_000, 'node rot-1 Ready');
      const first = new x509.X509Certificate(await readFile(join(agentDir, 'pki', 'kubelet-client.crt'), 'utf8'));
      assert.ok(first.notAfter.getTime() - Date.now() < 20_000, 'the first certificate is short-lived');
      // Renewal CSRs come from the node itself (not the bootstrap token) and are issued.
      const renewals = await eventually(async () => {
        const l = await selfCsrs();
        return l.length >= 1 && l.every((x) => /Approved,Issued$/.test(x)) ? l : undefined;
      }, 30_000, 'a renewal CSR from system:node:rot-1, issued');
      assert.ok(renewals.length >= 1);
      // Past the first certificate's expiry (and a lease period more), the node still talks to us.
      await eventually(async () => Date.now() > first.notAfter.getTime() + 2_000, 30_000, 'first certificate expired');
      const stamp = await renewTime();
      await eventually(async () => (await renewTime()) !== stamp, 15_000, 'lease renewed after the first certificate expired');
      assert.match(await c.kubectl.ok(['get', 'node', 'rot-1', '--no-headers']), /\sReady\s/);
      const now = new x509.X509Certificate(await readFile(join(agentDir, 'pki', 'kubelet-client.crt'), 'utf8'));
      assert.ok(now.notAfter > first.notAfter, 'the certificate file was replaced by a newer one');
      assert.equal(now.subject, 'O=system:nodes, CN=system:node:rot-1');
      assert.equal(child.exitCode, null, 'the agent did not restart');
    } catch (err) {
      throw new Error(`${(err as Error).message}\nagent output:\n${output.slice(-4000)}`);
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      }
    }
  });
});
