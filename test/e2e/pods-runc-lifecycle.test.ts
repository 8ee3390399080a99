/**
 * Acceptance for the pod lifecycle with REAL containers (`skiff server --runtime runc`, the
 * busybox image pushed once into the built-in registry), driven by the real kubectl: liveness
 * restarts, OOMKilled, CrashLoopBackOff with growing delays, containers sharing an emptyDir and
 * localhost, init containers, env from ConfigMap/Secret, live ConfigMap volumes, preStop within
 * the grace period, cgroup limits, securityContext, hostNetwork (loopback only), and a server
 * restart that leaves containers running. Needs root, runc/crun, skopeo and busybox-static.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { runcSkipReason } from '../support/busybox-image.ts';
import { eventually } from '../support/kubectl.ts';
import { startRuncCluster, type RuncCluster } from '../support/runc-cluster.ts';
import type { TestCluster } from '../support/server.ts';
import { pidAlive } from '../../src/util/pid.ts';


const skip = runcSkipReason();

const node = 'skiff-runc-life';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

describe('real pod lifecycle on runc', { skip }, () => {
  let env: RuncCluster;
  let c: TestCluster;
  let hostDir: string;
  let image: string;
  const kubectl = (args: string[], input?: string) => c.kubectl.ok(args, { input });
  const apply = (obj: object) => kubectl(['apply', '-f', '-'], JSON.stringify(obj));
  const getPod = async (name: string) => JSON.parse(await kubectl(['get', 'pod', name, '-o', 'json'])) as Pod;
  const ctr = (name: string, command: string[], extra: Record<string, unknown> = {}) => ({ name, image, command, ...extra });
  const pod = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, terminationGracePeriodSeconds: 2, ...spec } });
  const ready = (name: string) => kubectl(['wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s']);
  const logOf = async (p: Pod, container: string) => {
    const dir = join(c.dataDir, 'agent', node, 'logs', `default_${p.metadata!.name}_${p.metadata!.uid}`, container);
    let text = '';
    for (const f of (await readdir(dir).catch(() => [] as string[])).sort()) text += await readFile(join(dir, f), 'utf8');
    return text;
  };
  /** The container's init PID from the OCI runtime's own state (`runc://ID` or `crun://ID`). */
  const pidOf = (containerID: string) => {
    const [bin, id] = containerID.split('://') as [string, string];
    const out = execFileSync(bin, [`--root=${join(c.dataDir, 'agent', node, 'runc', bin)}`, 'state', id], { encoding: 'utf8' });
    return (JSON.parse(out) as { pid: number }).pid;
  };

  before(async () => {
    hostDir = await mkdtemp(join(tmpdir(), 'skiff-runc-hostpath-'));
    env = await startRuncCluster({ nodeName: node, bridge: 'skrunclc0', clusterCidr: '10.61.0.0/16' });
    ({ cluster: c, image } = env);
  });
  after(async () => {
    await env?.stop();
    if (hostDir) await rm(hostDir, { recursive: true, force: true });
  });

  it('runs a long-lived pod Running and Ready (used by the restart test)', async () => {
    await apply(pod('steady', { containers: [ctr('main', ['sh', '-c', 'echo steady; sleep 3600'])] }));
    await ready('steady');
    const cs = (await getPod('steady')).status!.containerStatuses![0]!;
    assert.ok(cs.state?.running && cs.ready);
    assert.ok(pidAlive(pidOf(cs.containerID!)));
  });

  it('restarts a container whose liveness probe fails', async () => {
    await apply(pod('unlive', {
      containers: [ctr('main', ['sleep', '3600'], { livenessProbe: { exec: { command: ['sh', '-c', 'exit 1'] }, periodSeconds: 1, failureThreshold: 2 } })],
    }));
    await eventually(async () => ((await getPod('unlive')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 60_000, 'restartCount to rise');
    const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=unlive', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /Liveness probe failed/);
    assert.match(events, /failed liveness probe, will be restarted/);
    await kubectl(['delete', 'pod', 'unlive', '--wait=false']);
  });

  it('reports a container over its memory limit as OOMKilled', async () => {
    await apply(pod('hog', {
      restartPolicy: 'Never',
      // awk doubles a string until the 32Mi memory cgroup kills it.
      containers: [ctr('main', ['awk', 'BEGIN { s = "x"; while (1) s = s s }'], { resources: { limits: { memory: '32Mi' } } })],
    }));
    const t = await eventually(async () => (await getPod('hog')).status?.containerStatuses?.[0]?.state?.terminated, 60_000, 'hog terminated');
    assert.equal(t.reason, 'OOMKilled');
    assert.equal(t.exitCode, 137);
    assert.equal((await getPod('hog')).status?.phase, 'Failed');
    await kubectl(['delete', 'pod', 'hog', '--wait=false']);
  });

  it('backs a crashing container off into CrashLoopBackOff with growing delays', async () => {
    await apply(pod('crash', { containers: [ctr('main', ['sh', '-c', 'echo dying; exit 3'])] }));
    const messages = new Set<string>();
    await eventually(async () => {
      const w = (await getPod('crash')).status?.containerStatuses?.[0]?.state?.waiting;
      if (w?.reason === 'CrashLoopBackOff') messages.add(w.message!.split(' ')[1]!);
      return messages.has('20s');
    }, 60_000, 'back-off to grow to 20s');
    assert.ok(messages.has('10s'), `saw ${[...messages].join(',')}`);
    const cs = (await getPod('crash')).status!.containerStatuses![0]!;
    assert.match(cs.state?.waiting?.message ?? '', /^back-off (20|40)s restarting failed container=main pod=crash_default\(/);
    assert.ok((cs.restartCount ?? 0) >= 2);
    assert.equal(cs.lastState?.terminated?.exitCode, 3);
    assert.equal(cs.lastState?.terminated?.reason, 'Error');
    assert.match(await kubectl(['get', 'pod', 'crash']), /CrashLoopBackOff/);
    await kubectl(['delete', 'pod', 'crash', '--wait=false']);
  });

  it('lets two containers share an emptyDir and talk over localhost, after an init container', async () => {
    await apply(pod('duo', {
      volumes: [{ name: 'www', emptyDir: {} }],
      initContainers: [ctr('prepare', ['sh', '-c', 'echo from-init > /www/index.html'], { volumeMounts: [{ name: 'www', mountPath: '/www' }] })],
      containers: [
        ctr('server', ['httpd', '-f', '-p', '127.0.0.1:8080', '-h', '/www'], { volumeMounts: [{ name: 'www', mountPath: '/www' }] }),
        ctr('client', ['sh', '-c', 'cat /shared/index.html; until wget -q -O - http://127.0.0.1:8080/; do sleep 0.2; done; sleep 3600'], { volumeMounts: [{ name: 'www', mountPath: '/shared', readOnly: true }] }),
      ],
    }));
    await ready('duo');
    const p = await getPod('duo');
    assert.equal(p.status?.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    // Once read from the shared volume, once over the pod's loopback from the other container.
    await eventually(async () => ((await logOf(p, 'client')).match(/from-init/g) ?? []).length === 2, 20_000, 'client to read the file and the page');
  });

  it('gives env from a ConfigMap and a Secret, and updates a ConfigMap volume in a running pod', async () => {
    await kubectl(['create', 'configmap', 'app', '--from-literal=COLOR=blue']);
    await kubectl(['create', 'secret', 'generic', 'creds', '--from-literal=PASS=hunter2']);
    await kubectl(['create', 'configmap', 'live', '--from-literal=SHADE=red']);
    await apply(pod('cfg', {
      volumes: [{ name: 'cfg', configMap: { name: 'live' } }],
      containers: [ctr('main', ['sh', '-c', 'echo "env=$COLOR/$PASS/$(POD)"; while true; do echo "shade=$(cat /etc/cfg/SHADE)"; sleep 0.3; done'], {
        envFrom: [{ configMapRef: { name: 'app' } }],
        env: [{ name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASS' } } }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }],
      })],
    }));
    await ready('cfg');
    const p = await getPod('cfg');
    await eventually(async () => (await logOf(p, 'main')).includes('env=blue/hunter2/cfg'), 10_000, 'env in the output');
    await eventually(async () => (await logOf(p, 'main')).includes('shade=red'), 10_000, 'the first value');
    await kubectl(['patch', 'configmap', 'live', '--type=merge', '-p', '{"data":{"SHADE":"green"}}']);
    await eventually(async () => (await logOf(p, 'main')).includes('shade=green'), 30_000, 'the updated value');
    assert.equal((await getPod('cfg')).status?.containerStatuses?.[0]?.restartCount, 0);
  });

  it('applies cgroup CPU and memory limits', async () => {
    await apply(pod('limited', { containers: [ctr('main', ['sleep', '3600'], { resources: { limits: { cpu: '500m', memory: '64Mi' } } })] }));
    await ready('limited');
    const p = await getPod('limited');
    assert.equal(p.status?.qosClass, 'Guaranteed');
    const id = p.status!.containerStatuses![0]!.containerID!.split('://')[1]!;
    const path = `skiff/${node}/kubepods/pod${p.metadata!.uid}/${id}`;
    assert.equal(readFileSync(`/sys/fs/cgroup/memory/${path}/memory.limit_in_bytes`, 'utf8').trim(), String(64 * 1024 * 1024));
    assert.equal(readFileSync(`/sys/fs/cgroup/cpu/${path}/cpu.cfs_quota_us`, 'utf8').trim(), '50000');
    assert.equal(readFileSync(`/sys/fs/cgroup/cpu/${path}/cpu.cfs_period_us`, 'utf8').trim(), '100000');
    // requests default to limits: 500m → 512 shares (MilliCPUToShares).
    assert.equal(readFileSync(`/sys/fs/cgroup/cpu/${path}/cpu.shares`, 'utf8').trim(), '512');
    await kubectl(['delete', 'pod', 'limited', '--wait=false']);
  });

  it('honours securityContext runAsUser and readOnlyRootFilesystem', async () => {
    await apply(pod('secure', {
      containers: [ctr('main', ['sh', '-c', 'echo "uid=$(id -u)"; touch /probe 2>&1 || echo no-write; sleep 3600'], { securityContext: { runAsUser: 65534, readOnlyRootFilesystem: true } })],
    }));
    await ready('secure');
    const p = await getPod('secure');
    await eventually(async () => /uid=65534/.test(await logOf(p, 'main')) && /no-write/.test(await logOf(p, 'main')), 10_000, 'uid and the refused write');
    assert.match(await logOf(p, 'main'), /Read-only file system/);
    await kubectl(['delete', 'pod', 'secure', '--wait=false']);
  });

  it('runs a hostNetwork pod on the node network (loopback)', async () => {
    const port = await freePort();
    await apply(pod('hostnet', {
      hostNetwork: true,
      containers: [ctr('main', ['sh', '-c', `mkdir -p /tmp/www && echo host-net > /tmp/www/index.html && exec httpd -f -p 127.0.0.1:${port} -h /tmp/www`], { readinessProbe: { tcpSocket: { port, host: '127.0.0.1' }, periodSeconds: 1 } })],
    }));
    await ready('hostnet');
    const p = await getPod('hostnet');
    const nodeIP = await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}']);
    assert.equal(p.status?.podIP, nodeIP);
    const body = await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
      return res.ok ? res.text() : undefined;
    }, 10_000, 'httpd on the host loopback');
    assert.equal(body.trim(), 'host-net');
    await kubectl(['delete', 'pod', 'hostnet', '--timeout=60s']);
  });

  it('runs preStop on delete and stops within the grace period', async () => {
    await apply(pod('graceful', {
      terminationGracePeriodSeconds: 5,
      volumes: [{ name: 'hooks', hostPath: { path: hostDir, type: 'Directory' } }],
      containers: [ctr('main', ['sh', '-c', 'trap "echo got-term >> /hooks/log; exit 0" TERM; while true; do sleep 0.2; done'], {
        volumeMounts: [{ name: 'hooks', mountPath: '/hooks' }],
        lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo prestop >> /hooks/log'] } } },
      })],
    }));
    await ready('graceful');
    const pid = pidOf((await getPod('graceful')).status!.containerStatuses![0]!.containerID!);
    const t0 = Date.now();
    await kubectl(['delete', 'pod', 'graceful', '--timeout=30s']);
    const took = Date.now() - t0;
    assert.ok(took < 5000 + 3000, `deleted within the grace period (took ${took} ms)`);
    assert.equal(await readFile(join(hostDir, 'log'), 'utf8'), 'prestop\ngot-term\n');
    assert.equal(pidAlive(pid), false);
  });

  it('keeps containers running across a server restart and reports one that died meanwhile', async () => {
    const before = (await getPod('steady')).status!.containerStatuses![0]!;
    const pid = pidOf(before.containerID!);
    const victim = (await getPod('cfg')).status!.containerStatuses![0]!;
    const victimPid = pidOf(victim.containerID!);
    await c.stopServer();
    assert.ok(pidAlive(pid), 'the container outlives the server');
    process.kill(victimPid, 'SIGKILL');
    await c.restart();
    await eventually(async () => (await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True', 30_000, 'node Ready again');
    await eventually(async () => {
      const s = (await getPod('steady')).status!.containerStatuses![0]!;
      return s.ready && s.state?.running ? s : undefined;
    }, 30_000, 'steady ready after restart');
    // Let a few kubelet syncs pass: the container must still be the same one.
    await new Promise((r) => setTimeout(r, 2000));
    const after = (await getPod('steady')).status!.containerStatuses![0]!;
    assert.equal(after.containerID, before.containerID);
    assert.equal(after.restartCount, before.restartCount);
    assert.equal(pidOf(after.containerID!), pid);
    const died = await eventually(async () => {
      const s = (await getPod('cfg')).status!.containerStatuses![0]!;
      return s.restartCount === victim.restartCount! + 1 ? s : undefined;
    }, 30_000, 'the killed container to be reported and restarted');
    assert.equal(died.lastState?.terminated?.exitCode, 137);
    assert.equal(died.lastState?.terminated?.containerID, victim.containerID);
  });
});
