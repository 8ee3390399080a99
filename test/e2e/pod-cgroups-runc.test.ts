/**
 * Acceptance for pod-level cgroups with QoS tiers on the runc runtime (the upstream kubelet's
 * cgroupfs layout, rooted per node: `/skiff/<node>/kubepods/[burstable|besteffort/]pod<uid>`):
 * a Guaranteed pod's cgroup carries the summed memory limit and CFS quota, Burstable and
 * BestEffort pods sit in their tiers with the tiers' shares, a container over its limit is
 * OOMKilled, deleted pods' cgroups go, and cluster stop leaves nothing under the node's root.
 * Needs root, runc/crun, skopeo and busybox-static.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createRuncRuntime } from '../../src/kubelet/runtime/runc/index.ts';
import { silentLogger } from '../../src/util/log.ts';
import { runcSkipReason } from '../support/busybox-image.ts';
import { eventually } from '../support/kubectl.ts';
import { startRuncCluster, type RuncCluster } from '../support/runc-cluster.ts';
import type { TestCluster } from '../support/server.ts';

const skip = runcSkipReason();
const node = 'skiff-podcg';
const nodeRoot = `/skiff/${node}`;
const kubepods = `${nodeRoot}/kubepods`;
const Mi = 1 << 20;

const cg = (ctrl: string, path: string) => join('/sys/fs/cgroup', ctrl, path);
const read = (ctrl: string, path: string, file: string) => readFileSync(join(cg(ctrl, path), file), 'utf8').trim();

describe('pod cgroups and QoS tiers on runc', { skip }, () => {
  let env: RuncCluster;
  let c: TestCluster;
  let image: string;
  let stopped = false;
  const kubectl = (args: string[], input?: string) => c.kubectl.ok(args, { input });
  const apply = (obj: object) => kubectl(['apply', '-f', '-'], JSON.stringify(obj));
  const getPod = async (name: string) => JSON.parse(await kubectl(['get', 'pod', name, '-o', 'json'])) as Pod;
  const ready = (name: string) => kubectl(['wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s']);
  const sleeper = (name: string, resources: object = {}) => ({ name, image, command: ['sleep', '3600'], resources });
  const pod = (name: string, containers: object[], extra: object = {}) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, terminationGracePeriodSeconds: 1, containers, ...extra },
  });
  const guaranteed = { requests: { cpu: '100m', memory: '32Mi' }, limits: { cpu: '100m', memory: '32Mi' } };
  const paths = new Map<string, string>();

  before(async () => {
    env = await startRuncCluster({ nodeName: node, bridge: 'skrcg0', clusterCidr: '10.71.0.0/16' });
    ({ cluster: c, image } = env);
  });
  after(async () => {
    if (!stopped) await env?.stop();
  });

  it('puts a Guaranteed pod directly under kubepods with the summed memory limit and quota', async () => {
    // The init container burns CPU and exits: the pod cgroup keeps counting it.
    const burn = { name: 'burn', image, command: ['sh', '-c', 'timeout 1 sh -c "while :; do :; done"; true'], resources: guaranteed };
    await apply(pod('gpod', [sleeper('a', guaranteed), sleeper('b', guaranteed)], { initContainers: [burn] }));
    await ready('gpod');
    const p = await getPod('gpod');
    assert.equal(p.status?.qosClass, 'Guaranteed');
    const path = `${kubepods}/pod${p.metadata!.uid}`;
    paths.set('gpod', path);
    assert.equal(Number(read('memory', path, 'memory.limit_in_bytes')), 64 * Mi);
    assert.equal(read('cpu', path, 'cpu.cfs_quota_us'), '20000');
    assert.equal(read('cpu', path, 'cpu.cfs_period_us'), '100000');
    assert.equal(read('cpu', path, 'cpu.shares'), '204');
    // The containers are children, each with its own limits.
    const ids = p.status!.containerStatuses!.map((s) => s.containerID!.split('://')[1]!);
    for (const id of ids) {
      assert.equal(Number(read('memory', `${path}/${id}`, 'memory.limit_in_bytes')), 32 * Mi);
      assert.equal(read('cpu', `${path}/${id}`, 'cpu.cfs_quota_us'), '10000');
    }
    // kubepods: node allocatable (the host's cpus → shares, memory → limit).
    assert.ok(Number(read('cpu', kubepods, 'cpu.shares')) >= 1024);
    assert.ok(Number(read('memory', kubepods, 'memory.limit_in_bytes')) > 64 * Mi);

    // Pod usage comes from the pod cgroup (what /stats/summary reports), not the running containers' sum.
    const rt = await createRuncRuntime({ stateDir: join(c.dataDir, 'agent', node, 'runc'), logger: silentLogger });
    const sb = (await rt.listPodSandboxes()).find((s) => s.uid === p.metadata!.uid)!;
    let running = 0;
    for (const ct of await rt.listContainers({ sandboxId: sb.id })) if (ct.state === 'running') running += (await rt.containerStats(ct.id))!.cpuUsageNanos;
    const podCpu = (await rt.podSandboxStats(sb.id))!.cpuUsageNanos;
    assert.ok(podCpu > running + 20e6, `pod ${podCpu} ns vs running containers ${running} ns`);
  });

  it('puts Burstable and BestEffort pods under their tiers with the tiers\' shares', async () => {
    await apply(pod('bpod', [sleeper('a', { requests: { cpu: '250m' } }), sleeper('b', { requests: { cpu: '250m', memory: '16Mi' }, limits: { memory: '64Mi' } })]));
    await apply(pod('epod', [sleeper('a')]));
    await ready('bpod');
    await ready('epod');
    const b = await getPod('bpod');
    const e = await getPod('epod');
    assert.equal(b.status?.qosClass, 'Burstable');
    assert.equal(e.status?.qosClass, 'BestEffort');
    const bpath = `${kubepods}/burstable/pod${b.metadata!.uid}`;
    const epath = `${kubepods}/besteffort/pod${e.metadata!.uid}`;
    paths.set('bpod', bpath).set('epod', epath);
    assert.equal(read('cpu', bpath, 'cpu.shares'), '512');
    // Not every container has a cpu or memory limit: the pod cgroup has neither.
    assert.equal(read('cpu', bpath, 'cpu.cfs_quota_us'), '-1');
    assert.ok(Number(read('memory', bpath, 'memory.limit_in_bytes')) > 1 << 40);
    assert.equal(read('cpu', epath, 'cpu.shares'), '2');
    assert.equal(read('cpu', `${kubepods}/burstable`, 'cpu.shares'), '512');
    assert.equal(read('cpu', `${kubepods}/besteffort`, 'cpu.shares'), '2');
  });

  it('OOM-kills a container that allocates past its pod\'s memory limit', async () => {
    await apply(pod('hog', [{
      name: 'main', image, command: ['awk', 'BEGIN { s = "x"; while (1) s = s s }'],
      resources: { requests: { cpu: '100m', memory: '32Mi' }, limits: { cpu: '100m', memory: '32Mi' } },
    }], { restartPolicy: 'Never' }));
    const t = await eventually(async () => (await getPod('hog')).status?.containerStatuses?.[0]?.state?.terminated, 60_000, 'hog terminated');
    const p = await getPod('hog');
    const path = `${kubepods}/pod${p.metadata!.uid}`;
    paths.set('hog', path);
    assert.equal(Number(read('memory', path, 'memory.limit_in_bytes')), 32 * Mi);
    assert.equal(t.reason, 'OOMKilled');
    assert.equal(t.exitCode, 137);
  });

  it('removes a deleted pod\'s cgroup and recomputes the burstable tier', async () => {
    await kubectl(['delete', 'pod', 'gpod', 'bpod', 'epod', 'hog', '--wait=true', '--timeout=60s']);
    for (const [name, path] of paths) {
      for (const ctrl of ['cpu', 'cpuacct', 'memory', 'pids']) {
        await eventually(async () => !existsSync(cg(ctrl, path)), 20_000, `${name}'s ${ctrl} cgroup removed`);
      }
    }
    await eventually(async () => read('cpu', `${kubepods}/burstable`, 'cpu.shares') === '2', 10_000, 'burstable tier back to 2 shares');
  });

  it('leaves nothing under the node\'s cgroup root after cluster stop', async () => {
    await apply(pod('last', [sleeper('a', guaranteed)]));
    await ready('last');
    const uid = (await getPod('last')).metadata!.uid!;
    assert.ok(existsSync(cg('memory', `${kubepods}/pod${uid}`)));
    stopped = true;
    await env.stop();
    for (const ctrl of ['cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'devices', 'freezer']) {
      assert.equal(existsSync(cg(ctrl, nodeRoot)), false, `${ctrl} ${nodeRoot} left behind`);
    }
  });
});
