/**
 * Acceptance for storage on real containers: `skiff server` with its embedded agent on the
 * runc runtime (own bridge `skstor0`, pod network 10.64.0.0/16) and the busybox image from
 * the built-in registry. A StatefulSet with `volumeClaimTemplates` on `local-path` writes
 * `$(hostname)` into its claim (directly and through a `subPath`) while a second container
 * mounts the claim `readOnly` and is refused writing; deleted pods come back and find their
 * data; the PV directories on the node hold the files. `persistentVolumeClaimRetentionPolicy`
 * whenScaled=Delete removes the claim (and, reclaim Delete, the directory) of a scaled-away
 * replica, whenDeleted=Retain keeps the rest after `kubectl delete sts`; deleting that claim
 * then removes its directory. A claim whose PV's node affinity names another node is refused
 * by the kubelet (FailedMount, pod stays ContainerCreating). Needs root, runc, skopeo and
 * busybox-static.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runcSkipReason } from '../support/busybox-image.ts';
import { eventually } from '../support/kubectl.ts';
import { startRuncCluster, type RuncCluster } from '../support/runc-cluster.ts';
import type { TestCluster } from '../support/server.ts';

const skip = runcSkipReason();

describe('storage on runc: StatefulSet claims on local-path', { skip }, () => {
  const node = 'skiff-stor-runc';
  let env: RuncCluster;
  let c: TestCluster;
  /** Holds the local-path volumes (named before the server starts) and the foreign PV's directory. */
  let work: string;
  let storage: string;
  let image: string;
  const k = (...args: string[]) => c.kubectl.ok(args);
  const jp = (kind: string, name: string, path: string, ns = true) => k('get', kind, name, ...(ns ? ['-n', 'st'] : []), '-o', `jsonpath={${path}}`);
  const running = async (name: string) => (await jp('pod', name, '.status.phase').catch(() => '')) === 'Running';
  const pvPath = async (claim: string) => jp('pv', await jp('pvc', claim, '.spec.volumeName'), '.spec.hostPath.path', false);
  const fileOf = (path: string) => readFile(path, 'utf8').then((s) => s.trim(), () => '');
  const claimNames = async () => (await k('get', 'pvc', '-n', 'st', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').filter(Boolean).sort();

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'skiff-stor-runc-'));
    storage = join(work, 'storage');
    env = await startRuncCluster({
      nodeName: node, bridge: 'skstor0', clusterCidr: '10.64.0.0/16',
      cluster: { controllerOptions: { pvResyncPeriodMs: 1000, localPathStorageDir: storage } },
    });
    ({ cluster: c, image } = env);
    await k('create', 'namespace', 'st');
  });
  after(async () => {
    await env?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('keeps each replica\'s data across pod deletion; subPath and readOnly mounts', async () => {
    const writer = 'if [ -f /data/host ]; then echo "kept $(cat /data/host)"; else hostname > /data/host; echo fresh; fi; hostname > /sub/host; exec sleep 3600';
    // Tries to write through its read-only mount; busybox prints "Read-only file system".
    const reader = 'touch /data/ro-probe 2>&1 || echo "write refused"; exec sleep 3600';
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'web', namespace: 'st' },
        spec: {
          replicas: 2,
          serviceName: 'web',
          podManagementPolicy: 'Parallel',
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' },
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              terminationGracePeriodSeconds: 1,
              containers: [
                { name: 'w', image, command: ['sh', '-c', writer], volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'data', mountPath: '/sub', subPath: 'part' }] },
                { name: 'ro', image, command: ['sh', '-c', reader], volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }] },
              ],
            },
          },
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Mi' } } } }],
        },
      }),
    });
    const pods = ['web-0', 'web-1'];
    for (const p of pods) await eventually(() => running(p), 60_000, `${p} Running`);
    for (const p of pods) {
      const path = await pvPath(`data-${p}`);
      assert.ok(path.startsWith(storage + '/'), path);
      // The files are on the node, in the volume's directory.
      await eventually(async () => (await fileOf(join(path, 'host'))) === p, 15_000, `${p} wrote its hostname`);
      await eventually(async () => (await fileOf(join(path, 'part', 'host'))) === p, 15_000, `${p} wrote through its subPath`);
      assert.match(await k('logs', p, '-n', 'st', '-c', 'w'), /fresh/);
      await eventually(async () => /Read-only file system[\s\S]*write refused/.test(await k('logs', p, '-n', 'st', '-c', 'ro')), 15_000, `${p} read-only mount refused a write`);
      assert.ok(!existsSync(join(path, 'ro-probe')), 'nothing written through the read-only mount');
    }
    const uids = await Promise.all(pods.map((p) => jp('pod', p, '.metadata.uid')));
    await k('delete', 'pod', ...pods, '-n', 'st', '--wait=true', '--timeout=60s');
    for (const [i, p] of pods.entries()) {
      await eventually(async () => (await jp('pod', p, '.metadata.uid').catch(() => uids[i])) !== uids[i], 30_000, `${p} recreated`);
      await eventually(() => running(p), 60_000, `${p} Running again`);
      await eventually(async () => new RegExp(`kept ${p}`).test(await k('logs', p, '-n', 'st', '-c', 'w').catch(() => '')), 20_000, `${p} found its data`);
    }
  });

  it('deletes a scaled-away replica\'s claim and directory (whenScaled=Delete), keeps the rest (whenDeleted=Retain)', async () => {
    const path0 = await pvPath('data-web-0');
    const path1 = await pvPath('data-web-1');
    assert.ok(existsSync(path1));
    await k('scale', 'sts/web', '-n', 'st', '--replicas=1');
    await eventually(async () => (await claimNames()).join(',') === 'data-web-0', 30_000, 'data-web-1 deleted on scale down');
    // local-path's reclaim policy is Delete: the kubelet removes the directory.
    await eventually(async () => !existsSync(path1), 30_000, 'data-web-1 directory removed');
    await k('delete', 'sts', 'web', '-n', 'st', '--timeout=60s');
    await eventually(async () => (await k('get', 'pods', '-n', 'st', '-o', 'name')).trim() === '', 60_000, 'pods gone');
    assert.deepEqual(await claimNames(), ['data-web-0'], 'whenDeleted=Retain keeps the claim');
    assert.equal(await jp('pvc', 'data-web-0', '.status.phase'), 'Bound');
    assert.equal(await fileOf(join(path0, 'host')), 'web-0');
    await k('delete', 'pvc', 'data-web-0', '-n', 'st', '--timeout=30s');
    await eventually(async () => !existsSync(path0), 30_000, 'data-web-0 directory removed after its claim is deleted');
  });

  it('refuses to mount a volume whose node affinity names another node', async () => {
    const dir = join(work, 'elsewhere');
    await mkdir(dir, { recursive: true });
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: PersistentVolume
metadata: {name: elsewhere}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  persistentVolumeReclaimPolicy: Retain
  local: {path: ${dir}}
  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [some-other-node]}]}]}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: elsewhere, namespace: st}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  volumeName: elsewhere
  resources: {requests: {storage: 1Gi}}
`,
    });
    await eventually(async () => (await jp('pvc', 'elsewhere', '.status.phase')) === 'Bound', 20_000, 'claim Bound');
    // spec.nodeName set by hand bypasses the scheduler (which would refuse the node).
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'astray', namespace: 'st' },
        spec: { nodeName: node, containers: [{ name: 'c', image, command: ['sleep', '3600'], volumeMounts: [{ name: 'd', mountPath: '/d' }] }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'elsewhere' } }] },
      }),
    });
    const events = () => k('get', 'events', '-n', 'st', '--field-selector', 'involvedObject.name=astray', '-o', 'jsonpath={range .items[*]}{.reason} {.message}{"\\n"}{end}');
    await eventually(async () => /FailedMount .*NodeAffinity check failed for volume "elsewhere" : no matching NodeSelectorTerms/.test(await events()), 20_000, 'FailedMount event');
    assert.equal(await jp('pod', 'astray', '.status.containerStatuses[0].state.waiting.reason'), 'ContainerCreating');
    assert.equal(await jp('pod', 'astray', '.status.phase'), 'Pending');
    await k('delete', 'pod', 'astray', '-n', 'st', '--grace-period=0', '--force');
  });
});
