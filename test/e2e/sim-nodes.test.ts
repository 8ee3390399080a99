/**
 * Acceptance: `skiff server --sim-nodes 3` registers three Ready simulated nodes; pods bound to
 * them run (IP, Ready), finish (Completed) and are deleted promptly; a stopped node stops
 * renewing its Lease and resumes when started; `skiff agent --runtime sim` joins over HTTPS.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const skiff = fileURLToPath(new URL('../../bin/skiff', import.meta.url));
const renewMs = 300;

function podYaml(name: string, node: string, restartPolicy = 'Always', annotations: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations },
    spec: { nodeName: node, restartPolicy, containers: [{ name: 'app', image: 'registry.example/app:1' }] },
  });
}

describe('simulated nodes', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ datastore: 'memory', simNodes: 3 });
    c.server.simNodes.setOptions({ leaseRenewIntervalMs: renewMs, nodeStatusUpdateMs: renewMs, podCidrWaitMs: 500 });
  });
  after(async () => {
    await c?.stop();
  });

  it('kubectl get nodes shows three Ready nodes with the upstream columns', async () => {
    const out = await eventually(async () => {
      const o = await c.kubectl.ok(['get', 'nodes']);
      return (o.match(/\sReady\s/g) ?? []).length === 3 ? o : undefined;
    }, 10_000, 'three Ready nodes');
    const [header, ...rows] = out.trim().split('\n');
    assert.deepEqual(header!.split(/\s+/), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    assert.deepEqual(rows.map((r) => r.split(/\s+/)[0]), ['sim-0', 'sim-1', 'sim-2']);
    for (const r of rows) assert.match(r, /^sim-\d\s+Ready\s+<none>\s+\S+\s+v1\.32\.0-skiff-sim$/);
    const node = JSON.parse(await c.kubectl.ok(['get', 'node', 'sim-1', '-o', 'json'])) as {
      metadata: { labels: Record<string, string> };
      status: { capacity: Record<string, string>; allocatable: Record<string, string>; conditions: { type: string; status: string; reason: string; message: string }[]; nodeInfo: Record<string, string> };
    };
    assert.equal(node.metadata.labels['kubernetes.io/hostname'], 'sim-1');
    assert.equal(node.metadata.labels.type, 'sim');
    assert.equal(node.metadata.labels['node.kubernetes.io/instance-type'], 'sim');
    assert.equal(node.status.capacity.cpu, '32');
    assert.equal(node.status.allocatable.pods, '110');
    assert.deepEqual(node.status.conditions.map((x) => `${x.type}=${x.status}`), ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    const ready = node.status.conditions.find((x) => x.type === 'Ready')!;
    assert.equal(ready.reason, 'KubeletReady');
    assert.equal(ready.message, 'kubelet is posting ready status');
    assert.equal(node.status.nodeInfo.containerRuntimeVersion, 'sim://1.0');
  });

  it('a pod bound to sim-1 becomes Running and Ready with a pod IP, and kubectl delete finishes promptly', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: podYaml('web', 'sim-1') });
    const status = await eventually(async () => {
      const p = JSON.parse(await c.kubectl.ok(['get', 'pod', 'web', '-o', 'json'])) as { status: { phase: string; podIP?: string; hostIP?: string; conditions?: { type: string; status: string }[] } };
      return p.status.phase === 'Running' && p.status.conditions?.find((x) => x.type === 'Ready')?.status === 'True' ? p.status : undefined;
    }, 10_000, 'pod web Running and Ready');
    assert.match(status.podIP ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(status.hostIP, '10.200.0.2');
    assert.match(await c.kubectl.ok(['get', 'pod', 'web']), /web\s+1\/1\s+Running\s+0\s/);
    const started = Date.now();
    await c.kubectl.ok(['delete', 'pod', 'web', '--timeout=20s']);
    assert.ok(Date.now() - started < 10_000, `delete took ${Date.now() - started} ms`);
    const gone = await c.kubectl(['get', 'pod', 'web']);
    assert.match(gone.stderr, /NotFound/);
  });

  it('a restartPolicy Never pod completes', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: podYaml('once', 'sim-2', 'Never', { 'sim.skiff.dev/run-seconds': '0.5' }) });
    await eventually(async () => /once\s+0\/1\s+Completed\s/.test(await c.kubectl.ok(['get', 'pod', 'once'])), 10_000, 'pod once Completed');
    const phase = await c.kubectl.ok(['get', 'pod', 'once', '-o', 'jsonpath={.status.phase} {.status.containerStatuses[0].state.terminated.reason}']);
    assert.equal(phase, 'Succeeded Completed');
  });

  it('a stopped node stops renewing its Lease; started again, it renews', async () => {
    const renewTime = async () => c.kubectl.ok(['get', 'lease', 'sim-0', '-n', 'kube-node-lease', '-o', 'jsonpath={.spec.renewTime}']);
    const r0 = await renewTime();
    await eventually(async () => (await renewTime()) !== r0, 5_000, 'the lease to be renewed while running');
    c.server.simNodes.stop('sim-0');
    // Let a renewal already in flight land, then the renewTime must hold still.
    await new Promise((r) => setTimeout(r, renewMs));
    const frozen = await renewTime();
    const until = Date.now() + renewMs * 5;
    while (Date.now() < until) {
      assert.equal(await renewTime(), frozen, 'a stopped node renewed its lease');
      await new Promise((r) => setTimeout(r, renewMs / 2));
    }
    c.server.simNodes.start('sim-0');
    await eventually(async () => (await renewTime()) !== frozen, 5_000, 'the lease to be renewed after start');
  });

  it('skiff agent --runtime sim joins over HTTPS as a fourth node and runs its pods', async () => {
    let child: ChildProcess | undefined;
    let output = '';
    try {
      child = spawn(skiff, ['agent', '--runtime', 'sim', '--name', 'agent-1', '--kubeconfig', c.server.kubeconfigPath, '--lease-renew-interval', '500', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      await eventually(async () => /agent-1\s+Ready\s/.test(await c.kubectl.ok(['get', 'nodes'])), 20_000, 'node agent-1 Ready');
      assert.equal((await c.kubectl.ok(['get', 'nodes', '--no-headers'])).trim().split('\n').length, 4);
      await eventually(async () => (await c.kubectl(['get', 'lease', 'agent-1', '-n', 'kube-node-lease'])).code === 0, 10_000, 'agent-1 lease');
      await c.kubectl.ok(['apply', '-f', '-'], { input: podYaml('remote', 'agent-1') });
      await eventually(async () => /remote\s+1\/1\s+Running\s/.test(await c.kubectl.ok(['get', 'pod', 'remote'])), 15_000, 'pod on agent-1 Running');
    } catch (err) {
      throw new Error(`${(err as Error).message}\nagent output:\n${output}`);
    } finally {
      if (child && child.exitCode === null) {
        const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child!.kill('SIGKILL'), 5_000);
        const code = await exited;
        clearTimeout(timer);
        assert.equal(code, 0, `agent exited with ${code}\n${output}`);
      }
    }
  });
});
