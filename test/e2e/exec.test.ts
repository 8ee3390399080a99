/**
 * Acceptance for the pod streams on a real node (`skiff server --runtime process`), driven by
 * the real kubectl 1.32 and by @kubernetes/client-node: exec (both output streams, exit
 * codes, stdin), port-forward (SPDY tunnelled in WebSocket; client-node's channel protocol)
 * through the API server to the kubelet's HTTPS endpoint; and exec/port-forward into a runc
 * container's namespaces when root and runc are available.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { runcSkipReason } from '../support/busybox-image.ts';
import { eventually, haveKubectl, kubectlPath } from '../support/kubectl.ts';
import { startRuncCluster, type RuncCluster } from '../support/runc-cluster.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const node = 'stream-node';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function sink(): { stream: Writable; text(): string } {
  let out = '';
  return {
    stream: new Writable({
      write(c: Buffer, _e, cb) {
        out += c.toString();
        cb();
      },
    }),
    text: () => out,
  };
}

describe('exec and port-forward on the process runtime', { skip: !haveKubectl && 'kubectl is not installed' }, () => {
  let cluster: TestCluster;
  let webDir: string;
  let webPort: number;
  let kc: k8s.KubeConfig;
  const kubectl = (args: string[], input?: string) => cluster.kubectl.ok(args, { input });
  const apply = (obj: object) => kubectl(['apply', '-f', '-'], JSON.stringify(obj));

  before(async () => {
    webDir = await mkdtemp(join(tmpdir(), 'skiff-web-'));
    await writeFile(join(webDir, 'index.html'), 'hello from the pod\n');
    webPort = await freePort();
    cluster = await startCluster({ server: { disableAgent: false, runtime: 'process', nodeName: node }, agentOptions: { resyncMs: 1000, relistMs: 250 } });
    kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.server.kubeconfigPath);
    await eventually(async () => (await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True', 20_000, 'node Ready');
    const spec = (containers: object[]) => ({ nodeName: node, terminationGracePeriodSeconds: 1, containers });
    await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'shell' }, spec: spec([{ name: 'main', image: 'busybox', command: ['sh', '-c', 'sleep 3600'] }]) });
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: spec([{ name: 'httpd', image: 'busybox', command: ['/bin/busybox', 'httpd', '-f', '-p', `127.0.0.1:${webPort}`, '-h', webDir] }]),
    });
    await kubectl(['wait', '--for=condition=Ready', 'pod/shell', 'pod/web', '--timeout=30s']);
  });
  after(async () => {
    await cluster?.stop();
    await rm(webDir, { recursive: true, force: true });
  });

  it('kubectl exec prints stdout and stderr and exits with the command exit code', async () => {
    const r = await cluster.kubectl(['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /^err\n/);
    assert.match(r.stderr, /command terminated with exit code 3/);
    const ok = await cluster.kubectl(['exec', 'shell', '-c', 'main', '--', 'sh', '-c', 'echo fine']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'fine\n');
  });

  it('kubectl exec -i streams stdin until EOF', async () => {
    const input = 'line one\nline two\n'.repeat(200);
    const out = await kubectl(['exec', '-i', 'shell', '--', 'cat'], input);
    assert.equal(out, input);
    const wc = await kubectl(['exec', '-i', 'shell', '--', 'wc', '-l'], 'a\nb\nc\n');
    assert.equal(wc.trim(), '3');
  });

  it('kubectl exec into a missing container fails with the server message', async () => {
    const r = await cluster.kubectl(['exec', 'shell', '-c', 'nope', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container nope is not valid for pod shell/, r.stderr);
  });

  it('kubectl port-forward forwards local connections to the pod port', async () => {
    const local = await freePort();
    const pf = cluster.kubectl.spawn(['port-forward', 'pod/web', `${local}:${webPort}`]);
    try {
      await eventually(() => pf.output().includes(`Forwarding from 127.0.0.1:${local}`), 15_000, 'port-forward listening');
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`http://127.0.0.1:${local}/index.html`);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), 'hello from the pod\n');
      }
      assert.match(pf.output(), /Handling connection for/);
    } finally {
      await pf.stop();
    }
  });

  it('kubectl port-forward over plain SPDY (its fallback) works too', async () => {
    const local = await freePort();
    const child = spawn(kubectlPath, ['port-forward', 'pod/web', `${local}:${webPort}`], { env: { ...cluster.kubectl.env, KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const closed = new Promise((r) => child.on('close', r));
    try {
      await eventually(() => out.includes(`Forwarding from 127.0.0.1:${local}`), 15_000, 'port-forward listening');
      const res = await fetch(`http://127.0.0.1:${local}/index.html`);
      assert.equal(await res.text(), 'hello from the pod\n', out);
    } finally {
      child.kill('SIGTERM');
      await closed;
    }
  });

  it('@kubernetes/client-node Exec runs a command and reports its status', async () => {
    const exec = new k8s.Exec(kc);
    const out = sink();
    const err = sink();
    const status = await new Promise<k8s.V1Status>((resolve, reject) => {
      exec.exec('default', 'shell', 'main', ['sh', '-c', 'echo js-out; echo js-err >&2; exit 4'], out.stream, err.stream, null, false, (s) => resolve(s)).catch(reject);
    });
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.equal(status.details?.causes?.[0]?.message, '4');
    assert.equal(out.text(), 'js-out\n');
    assert.equal(err.text(), 'js-err\n');
  });

  it('@kubernetes/client-node PortForward reaches the pod port over its channel protocol', async () => {
    const forward = new k8s.PortForward(kc);
    const server: Server = createServer((socket) => {
      void forward.portForward('default', 'web', [webPort], socket, null, socket);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`, { headers: { connection: 'close' } });
      assert.equal(await res.text(), 'hello from the pod\n');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('kubectl attach on the process runtime streams output', async () => {
    await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pticker' }, spec: { nodeName: node, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.2; done'] }] } });
    await cluster.kubectl.ok(['wait', '--for=condition=Ready', 'pod/pticker', '--timeout=30s']);
    const at = cluster.kubectl.spawn(['attach', 'pticker']);
    try {
      await eventually(() => at.output().match(/tick \d+/g) ?? undefined, 15_000, 'ticks through attach');
    } finally {
      await at.stop();
    }
  });
});


const runcSkip = runcSkipReason();

describe('exec and port-forward on runc', { skip: runcSkip }, () => {
  let env: RuncCluster;
  let c: TestCluster;

  before(async () => {
    // A bridge and pod network of its own, so a real default node (skiff0) on this machine is left alone.
    env = await startRuncCluster({ nodeName: 'skiff-runc-streams', bridge: 'skrexec0', clusterCidr: '10.70.0.0/16' });
    c = env.cluster;
    const image = env.image;
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'box' },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image, command: ['sh', '-c', 'mkdir -p /www && echo inside > /www/index.html && exec httpd -f -p 8080 -h /www'] }] },
      }),
    });
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'ticker' },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image, command: ['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done'] }] },
      }),
    });
    await c.kubectl.ok(['wait', '--for=condition=Ready', 'pod/box', 'pod/ticker', '--timeout=60s']);
  });
  after(async () => {
    await env?.stop();
  });

  it('kubectl exec runs inside the container (its hostname, its stdin)', async () => {
    assert.equal((await c.kubectl.ok(['exec', 'box', '--', 'cat', '/etc/hostname'])).trim(), 'box');
    assert.equal(await c.kubectl.ok(['exec', '-i', 'box', '--', 'cat'], { input: 'through runc\n' }), 'through runc\n');
    const r = await c.kubectl(['exec', 'box', '--', 'sh', '-c', 'exit 5']);
    assert.equal(r.code, 5, r.stderr);
  });

  it('kubectl attach streams the main process output from now on', async () => {
    const at = c.kubectl.spawn(['attach', 'ticker']);
    try {
      const before = Number((await c.kubectl.ok(['logs', 'ticker', '--tail=1'])).match(/tick (\d+)/)![1]);
      const seen = await eventually(() => at.output().match(/tick (\d+)/g) ?? undefined, 15_000, 'ticks through attach');
      assert.ok(Number(seen[0]!.split(' ')[1]) >= before, `attach started at ${seen[0]}, logs were at ${before}`);
    } finally {
      await at.stop();
    }
  });

  it('kubectl port-forward reaches a port inside the pod network namespace', async () => {
    const local = await freePort();
    const pf = c.kubectl.spawn(['port-forward', 'pod/box', `${local}:8080`]);
    try {
      await eventually(() => pf.output().includes(`Forwarding from 127.0.0.1:${local}`), 15_000, 'port-forward listening');
      const res = await fetch(`http://127.0.0.1:${local}/index.html`);
      assert.equal(await res.text(), 'inside\n');
    } finally {
      await pf.stop();
    }
  });
});
