/**
 * Acceptance for the kubelet on `skiff server --runtime process`, driven by the real kubectl:
 * pods run as host processes, become Running and Ready, restart on liveness failure, back off
 * into CrashLoopBackOff, run init containers first, get env from ConfigMaps and Secrets, see
 * ConfigMap volume updates, run preStop on delete within the grace period, run a Deployment,
 * and survive a server restart without their containers restarting.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';
import { pidAlive } from '../../src/util/pid.ts';

const node = 'proc-node';

describe('pods on the process runtime', { skip: !haveKubectl && 'kubectl is not installed' }, () => {
  let cluster: TestCluster;
  let hostDir: string;
  const kubectl = (args: string[], input?: string) => cluster.kubectl.ok(args, { input });
  const apply = (obj: object) => kubectl(['apply', '-f', '-'], JSON.stringify(obj));
  const getPod = async (name: string) => JSON.parse(await kubectl(['get', 'pod', name, '-o', 'json'])) as Pod;
  const pod = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, terminationGracePeriodSeconds: 2, ...spec } });
  const logOf = async (p: Pod, container: string) => {
    const dir = join(cluster.dataDir, 'agent', node, 'logs', `default_${p.metadata!.name}_${p.metadata!.uid}`, container);
    const files = await readdir(dir).catch(() => [] as string[]);
    let text = '';
    for (const f of files.sort()) text += await readFile(join(dir, f), 'utf8');
    return text;
  };
  const pidOf = async (containerID: string) => Number(await readFile(join(cluster.dataDir, 'agent', node, 'process', 'containers', containerID.replace('process://', ''), 'pid'), 'utf8'));

  before(async () => {
    hostDir = await mkdtemp(join(tmpdir(), 'skiff-hostpath-'));
    cluster = await startCluster({ server: { disableAgent: false, runtime: 'process', nodeName: node }, agentOptions: { resyncMs: 1000, relistMs: 250 } });
    await eventually(async () => (await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True', 20_000, 'node Ready');
  });
  after(async () => {
    await cluster?.stop();
    await rm(hostDir, { recursive: true, force: true });
  });

  it('registers the node with host capacity and says it has no isolation', async () => {
    const n = JSON.parse(await kubectl(['get', 'node', node, '-o', 'json']));
    assert.ok(Number(n.status.capacity.cpu) >= 1);
    assert.match(n.status.capacity.memory, /^\d+Ki$/);
    assert.equal(n.status.capacity.pods, '110');
    assert.match(n.status.nodeInfo.containerRuntimeVersion, /^process:\/\/.*no-isolation/);
    assert.deepEqual(n.status.addresses[0], { type: 'InternalIP', address: '127.0.0.1' });
    assert.equal(n.metadata.annotations['skiff.dev/isolation'].startsWith('none'), true);
    const lease = JSON.parse(await kubectl(['get', 'lease', '-n', 'kube-node-lease', node, '-o', 'json']));
    assert.equal(lease.spec.holderIdentity, node);
  });

  it('runs a pod Running and Ready, with its output in a CRI log', async () => {
    await apply(pod('hello', { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo hello; sleep 3600'] }] }));
    await kubectl(['wait', '--for=condition=Ready', 'pod/hello', '--timeout=20s']);
    const p = await getPod('hello');
    assert.equal(p.status?.phase, 'Running');
    const cs = p.status!.containerStatuses![0]!;
    assert.ok(cs.state?.running && cs.ready && cs.started);
    assert.match(cs.containerID ?? '', /^process:\/\//);
    assert.equal(p.status?.qosClass, 'BestEffort');
    assert.equal(p.status?.podIP, '127.0.0.1');
    assert.deepEqual(p.status?.conditions?.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    assert.ok(pidAlive(await pidOf(cs.containerID!)));
    await eventually(async () => / stdout F hello\n/.test(await logOf(p, 'main')), 5000, 'hello in the log');
    const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=hello', '-o', 'jsonpath={.items[*].reason}']);
    for (const r of ['NoIsolation', 'Created', 'Started']) assert.ok(events.includes(r), `event ${r} in ${events}`);
  });

  it('restarts a container whose liveness probe fails', async () => {
    await apply(pod('unlive', {
      containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'], livenessProbe: { exec: { command: ['sh', '-c', 'exit 1'] }, periodSeconds: 1, failureThreshold: 2 } }],
    }));
    await eventually(async () => ((await getPod('unlive')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 30_000, 'restartCount to rise');
    const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=unlive', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /Liveness probe failed/);
    assert.match(events, /failed liveness probe, will be restarted/);
  });

  it('backs a crashing container off into CrashLoopBackOff', async () => {
    await apply(pod('crash', { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo dying; exit 3'] }] }));
    const cs = await eventually(async () => {
      const s = (await getPod('crash')).status?.containerStatuses?.[0];
      return s?.state?.waiting?.reason === 'CrashLoopBackOff' ? s : undefined;
    }, 30_000, 'CrashLoopBackOff');
    assert.match(cs.state!.waiting!.message!, /^back-off 10s restarting failed container=main pod=crash_default\(/);
    assert.equal(cs.lastState?.terminated?.exitCode, 3);
    assert.equal(cs.lastState?.terminated?.reason, 'Error');
    assert.ok((cs.restartCount ?? 0) >= 1);
    const table = await kubectl(['get', 'pod', 'crash']);
    assert.match(table, /CrashLoopBackOff/);
  });

  it('runs init containers first (a sidecar keeps running), sharing an emptyDir', async () => {
    await apply(pod('init', {
      volumes: [{ name: 'work', emptyDir: {} }],
      initContainers: [{ name: 'sidecar', image: 'busybox', restartPolicy: 'Always', command: ['sleep', '3600'] }, { name: 'prepare', image: 'busybox', command: ['sh', '-c', 'echo from-init > /work/msg'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'cat /work/msg; sleep 3600'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
    }));
    await kubectl(['wait', '--for=condition=Ready', 'pod/init', '--timeout=20s']);
    const p = await getPod('init');
    assert.ok(p.status?.initContainerStatuses?.[0]?.state?.running, 'the sidecar runs');
    const ics = p.status?.initContainerStatuses?.[1];
    assert.equal(ics?.state?.terminated?.reason, 'Completed');
    assert.equal(ics?.state?.terminated?.exitCode, 0);
    await eventually(async () => (await logOf(p, 'main')).includes('from-init'), 5000, 'main to read the init output');
  });

  it('gives env from a ConfigMap and a Secret, and reports a missing key', async () => {
    await kubectl(['create', 'configmap', 'app', '--from-literal=COLOR=blue']);
    await kubectl(['create', 'secret', 'generic', 'creds', '--from-literal=PASS=hunter2']);
    await apply(pod('envs', {
      containers: [{
        name: 'main', image: 'busybox', command: ['sh', '-c', 'echo "$COLOR $PASS $(POD)"; sleep 3600'],
        envFrom: [{ configMapRef: { name: 'app' } }],
        env: [{ name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASS' } } }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      }],
    }));
    await kubectl(['wait', '--for=condition=Ready', 'pod/envs', '--timeout=20s']);
    const p = await getPod('envs');
    await eventually(async () => (await logOf(p, 'main')).includes('blue hunter2 envs'), 5000, 'env in the output');
    await apply(pod('badenv', { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '1'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'app', key: 'NOPE' } } }] }] }));
    const w = await eventually(async () => (await getPod('badenv')).status?.containerStatuses?.[0]?.state?.waiting, 20_000, 'waiting state');
    assert.equal(w.reason, 'CreateContainerConfigError');
    assert.equal(w.message, "couldn't find key NOPE in ConfigMap default/app");
  });

  it('updates a ConfigMap volume in a running pod; secrets and Memory emptyDirs are tmpfs when root', async () => {
    await kubectl(['create', 'configmap', 'live', '--from-literal=COLOR=red']);
    await apply(pod('cmvol', {
      volumes: [{ name: 'cfg', configMap: { name: 'live' } }, { name: 'sec', secret: { secretName: 'creds', items: [{ key: 'PASS', path: 'pw/pass' }] } }, { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }],
      containers: [{
        name: 'main', image: 'busybox',
        command: ['sh', '-c', 'echo "pass=$(cat /etc/sec/pw/pass) mem=$SKIFF_VOLUME_MEM"; while true; do echo "color=$(cat /etc/cfg/COLOR)"; sleep 0.3; done'],
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'sec', mountPath: '/etc/sec' }, { name: 'mem', mountPath: '/scratch' }],
      }],
    }));
    await kubectl(['wait', '--for=condition=Ready', 'pod/cmvol', '--timeout=20s']);
    const p = await getPod('cmvol');
    await eventually(async () => (await logOf(p, 'main')).includes('color=red'), 5000, 'the first value');
    const memDir = join(cluster.dataDir, 'agent', node, 'pods', p.metadata!.uid!, 'volumes', 'kubernetes.io~empty-dir', 'mem');
    assert.ok((await logOf(p, 'main')).includes(`pass=hunter2 mem=${memDir}`));
    if (process.getuid?.() === 0) {
      const mounts = await readFile('/proc/mounts', 'utf8');
      assert.ok(mounts.includes(`tmpfs ${memDir} tmpfs`), 'Memory emptyDir on tmpfs');
      assert.ok(mounts.includes(`${join(cluster.dataDir, 'agent', node, 'pods', p.metadata!.uid!, 'volumes', 'kubernetes.io~secret', 'sec')} tmpfs`), 'secret on tmpfs');
    }
    await kubectl(['patch', 'configmap', 'live', '--type=merge', '-p', '{"data":{"COLOR":"green"}}']);
    await eventually(async () => (await logOf(p, 'main')).includes('color=green'), 15_000, 'the updated value');
    assert.equal((await getPod('cmvol')).status?.containerStatuses?.[0]?.restartCount, 0);
  });

  it('runs preStop on delete and stops within the grace period', async () => {
    await apply(pod('graceful', {
      terminationGracePeriodSeconds: 5,
      volumes: [{ name: 'hooks', hostPath: { path: hostDir, type: 'Directory' } }],
      containers: [{
        name: 'main', image: 'busybox', command: ['sh', '-c', 'trap "echo got-term >> /hooks/log; exit 0" TERM; while true; do sleep 0.2; done'],
        volumeMounts: [{ name: 'hooks', mountPath: '/hooks' }],
        lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo prestop >> /hooks/log'] } } },
      }],
    }));
    await kubectl(['wait', '--for=condition=Ready', 'pod/graceful', '--timeout=20s']);
    const pid = await pidOf((await getPod('graceful')).status!.containerStatuses![0]!.containerID!);
    const t0 = Date.now();
    await kubectl(['delete', 'pod', 'graceful', '--timeout=30s']);
    const took = Date.now() - t0;
    assert.ok(took < 5000 + 3000, `deleted within the grace period (took ${took} ms)`);
    assert.equal(await readFile(join(hostDir, 'log'), 'utf8'), 'prestop\ngot-term\n');
    assert.equal(pidAlive(pid), false);
  });

  it("runs a Deployment's pods as processes", async () => {
    await apply({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } } },
    });
    await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s'], undefined);
    const pods = JSON.parse(await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items as Pod[];
    assert.equal(pods.length, 2);
    for (const p of pods) {
      assert.equal(p.spec?.nodeName, node);
      assert.ok(pidAlive(await pidOf(p.status!.containerStatuses![0]!.containerID!)));
    }
  });

  it('keeps containers running across a server restart and reports one that died meanwhile', async () => {
    const before = (await getPod('hello')).status!.containerStatuses![0]!;
    const pid = await pidOf(before.containerID!);
    const victim = (await getPod('envs')).status!.containerStatuses![0]!;
    const victimPid = await pidOf(victim.containerID!);
    await cluster.stopServer();
    assert.ok(pidAlive(pid), 'the container outlives the server');
    process.kill(-victimPid, 'SIGKILL');
    await cluster.restart();
    await eventually(async () => (await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True', 20_000, 'node Ready again');
    // Give the kubelet a few syncs; the container must be the same one, still running.
    await eventually(async () => {
      const s = (await getPod('hello')).status!.containerStatuses![0]!;
      return s.ready && s.state?.running ? s : undefined;
    }, 20_000, 'hello ready after restart');
    await new Promise((r) => setTimeout(r, 1500));
    const after = (await getPod('hello')).status!.containerStatuses![0]!;
    assert.equal(after.containerID, before.containerID);
    assert.equal(after.restartCount, before.restartCount);
    assert.equal(await pidOf(after.containerID!), pid);
    assert.ok(pidAlive(pid));
    const died = await eventually(async () => {
      const s = (await getPod('envs')).status!.containerStatuses![0]!;
      return s.restartCount === victim.restartCount! + 1 ? s : undefined;
    }, 20_000, 'the killed container to be reported and restarted');
    assert.equal(died.lastState?.terminated?.exitCode, 137);
    assert.equal(died.lastState?.terminated?.containerID, victim.containerID);
    assert.ok(!existsSync(join(cluster.dataDir, 'agent', node, 'process', 'containers', before.containerID!.replace('process://', ''), 'exit')));
  });
});
