/**
 * Acceptance for the scheduler side of storage on `skiff server --sim-nodes 2`, driven by the
 * real kubectl: a local-path (WaitForFirstConsumer) claim stays Pending until its pod is
 * scheduled, then is provisioned on that node (PV node affinity, selected-node); a static
 * volume's node affinity steers the pod to its node; a ReadWriteOncePod claim in use blocks a
 * second pod; resize grows a `local-path-retain` claim's capacity, refuses to shrink it and
 * refuses a class without `allowVolumeExpansion`; a Retain claim's volume goes Released;
 * `kubectl get pv,pvc` prints upstream columns. Then on the embedded agent (process runtime):
 * a StatefulSet's replicas write a file each into their claims (and a subPath), find it again
 * after their pods are deleted and recreated; a pod whose claim is missing waits in
 * ContainerCreating with FailedMount; deleting a Delete-policy claim removes its directory.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const pvc = (name: string, cls: string, modes = 'ReadWriteOnce', size = '1Gi') => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}, namespace: sa}
spec:
  accessModes: [${modes}]
  storageClassName: ${cls}
  resources: {requests: {storage: ${size}}}
`;
const pod = (name: string, claim: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: sa}
spec:
  containers: [{name: c, image: busybox:1.36, command: [sleep, '3600'], volumeMounts: [{name: d, mountPath: /data}]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: ${claim}}}]
`;

describe('storage acceptance: volume binding, access modes, resize', { skip: !haveKubectl && 'kubectl not installed' }, () => {
  let c: TestCluster;
  const k = (...args: string[]) => c.kubectl.ok(args);
  const apply = (input: string) => c.kubectl.ok(['apply', '-f', '-'], { input });
  const jp = (kind: string, name: string, path: string, ns = true) => k('get', kind, name, ...(ns ? ['-n', 'sa'] : []), '-o', `jsonpath={${path}}`);
  const events = (name: string) => k('get', 'events', '-n', 'sa', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
  /** Binds a claim by scheduling a pod that uses it; returns the node. */
  const consume = async (podName: string, claim: string) => {
    await apply(pod(podName, claim));
    await eventually(async () => (await jp('pvc', claim, '.status.phase')) === 'Bound', 20_000, `${claim} Bound`);
    await eventually(async () => (await jp('pod', podName, '.spec.nodeName')) !== '', 10_000, `${podName} scheduled`);
    return jp('pod', podName, '.spec.nodeName');
  };

  before(async () => {
    c = await startCluster({ datastore: 'memory', simNodes: 2, controllerOptions: { pvResyncPeriodMs: 1000 } });
    await k('create', 'namespace', 'sa');
  });
  after(async () => {
    await c?.stop();
  });

  it('binds a local-path claim only once its pod is scheduled, on that node', async () => {
    await apply(pvc('wait', 'local-path'));
    await eventually(async () => /WaitForFirstConsumer: waiting for first consumer to be created before binding/.test(await events('wait')), 10_000, 'WaitForFirstConsumer event');
    assert.equal(await jp('pvc', 'wait', '.status.phase'), 'Pending');
    assert.equal(await jp('pvc', 'wait', '.spec.volumeName'), '');
    const node = await consume('w1', 'wait');
    assert.equal(await jp('pvc', 'wait', '.metadata.annotations.volume\\.kubernetes\\.io/selected-node'), node);
    const pvName = await jp('pvc', 'wait', '.spec.volumeName');
    assert.equal(await jp('pv', pvName, '.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]', false), node);
    // A second user of the RWO claim goes to the same node (Skiff's ReadWriteOnce rule).
    await apply(pod('w2', 'wait'));
    await eventually(async () => (await jp('pod', 'w2', '.spec.nodeName')) === node, 15_000, 'second RWO user on the same node');
  });

  it('steers a pod to the node of a static volume with node affinity', async () => {
    await apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: manual-wffc}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: local-sim-1}
spec:
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual-wffc
  local: {path: /tmp/local-sim-1}
  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [sim-1]}]}]}}
`);
    await apply(pvc('static', 'manual-wffc'));
    assert.equal(await consume('s1', 'static'), 'sim-1');
    assert.equal(await jp('pvc', 'static', '.spec.volumeName'), 'local-sim-1');
    // No more volumes: a second claim of the class cannot be placed anywhere.
    await apply(pvc('static2', 'manual-wffc') + '---\n' + pod('s2', 'static2'));
    await eventually(async () => /FailedScheduling: .*node\(s\) didn't find available persistent volumes to bind/.test(await events('s2')), 15_000, 'bind conflict');
  });

  it('lets only one pod use a ReadWriteOncePod claim', async () => {
    await apply(pvc('solo', 'local-path', 'ReadWriteOncePod'));
    await consume('r1', 'solo');
    await apply(pod('r2', 'solo'));
    await eventually(
      async () => /FailedScheduling: .*node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode/.test(await events('r2')),
      15_000,
      'RWOP conflict',
    );
    assert.equal(await jp('pod', 'r2', '.spec.nodeName'), '');
    await k('delete', 'pod', 'r1', '-n', 'sa', '--grace-period=0', '--force');
    await eventually(async () => (await jp('pod', 'r2', '.spec.nodeName')) !== '', 20_000, 'r2 scheduled once r1 is gone');
  });

  it('grows a claim of an expandable class, and refuses shrinking or other classes', async () => {
    await apply(pvc('grow', 'local-path-retain'));
    await consume('g1', 'grow');
    await k('patch', 'pvc', 'grow', '-n', 'sa', '--type=merge', '-p', '{"spec":{"resources":{"requests":{"storage":"3Gi"}}}}');
    await eventually(async () => (await jp('pvc', 'grow', '.status.capacity.storage')) === '3Gi', 15_000, 'claim capacity 3Gi');
    assert.equal(await jp('pv', await jp('pvc', 'grow', '.spec.volumeName'), '.spec.capacity.storage', false), '3Gi');
    assert.equal(await jp('pvc', 'grow', '.status.allocatedResources.storage'), '3Gi');
    const shrink = await c.kubectl(['patch', 'pvc', 'grow', '-n', 'sa', '--type=merge', '-p', '{"spec":{"resources":{"requests":{"storage":"1Gi"}}}}']);
    assert.notEqual(shrink.code, 0);
    assert.match(shrink.stderr, /spec\.resources\.requests\.storage: Forbidden: field can not be less than previous value/);
    const fixed = await c.kubectl(['patch', 'pvc', 'wait', '-n', 'sa', '--type=merge', '-p', '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}']);
    assert.notEqual(fixed.code, 0);
    assert.match(fixed.stderr, /only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize/);
  });

  it('keeps a Retain volume Released after its claim is deleted; prints upstream columns', async () => {
    const pvName = await jp('pvc', 'grow', '.spec.volumeName');
    const out = await k('get', 'pv,pvc', '-n', 'sa');
    assert.match(out, /NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE/);
    assert.match(out, new RegExp(`persistentvolume/${pvName}\\s+3Gi\\s+RWO\\s+Retain\\s+Bound\\s+sa/grow\\s+local-path-retain\\s+<unset>`));
    assert.match(out, new RegExp(`persistentvolumeclaim/grow\\s+Bound\\s+${pvName}\\s+3Gi\\s+RWO\\s+local-path-retain\\s+<unset>`));
    await k('delete', 'pvc', 'grow', '-n', 'sa', '--wait=false');
    await eventually(async () => /Terminating/.test(await k('get', 'pvc', 'grow', '-n', 'sa')), 10_000, 'in-use claim Terminating');
    await k('delete', 'pod', 'g1', '-n', 'sa', '--grace-period=0', '--force');
    await eventually(async () => (await jp('pv', pvName, '.status.phase', false)) === 'Released', 20_000, 'pv Released');
    assert.equal(await jp('pv', pvName, '.spec.persistentVolumeReclaimPolicy', false), 'Retain');
  });
});

describe('storage acceptance: claims mounted by the kubelet (process runtime)', { skip: !haveKubectl && 'kubectl not installed' }, () => {
  const node = 'stor-node';
  let c: TestCluster;
  let dir: string;
  const k = (...args: string[]) => c.kubectl.ok(args);
  const jp = (kind: string, name: string, path: string, ns = true) => k('get', kind, name, ...(ns ? ['-n', 'sa'] : []), '-o', `jsonpath={${path}}`);
  const running = async (name: string) => (await jp('pod', name, '.status.phase')) === 'Running';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-local-path-'));
    c = await startCluster({
      server: { disableAgent: false, runtime: 'process', nodeName: node },
      controllerOptions: { pvResyncPeriodMs: 1000, localPathStorageDir: dir },
      agentOptions: { resyncMs: 1000, relistMs: 250 },
    });
    await k('create', 'namespace', 'sa');
    await eventually(async () => (await k('get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')) === 'True', 20_000, 'node Ready');
  });
  after(async () => {
    await c?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps each StatefulSet replica\'s data across pod deletion, with subPath', async () => {
    const script = 'if [ -f /data/id ]; then echo "kept $(cat /data/id)"; else echo $POD > /data/id; echo fresh; fi; echo sub > /sub/x; sleep 3600';
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'web', namespace: 'sa' },
        spec: {
          replicas: 2,
          serviceName: 'web',
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              terminationGracePeriodSeconds: 1,
              containers: [
                {
                  name: 'c', image: 'busybox', command: ['sh', '-c', script],
                  env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                  volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'data', mountPath: '/sub', subPath: 'part' }],
                },
              ],
            },
          },
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Mi' } } } }],
        },
      }),
    });
    for (const p of ['web-0', 'web-1']) await eventually(() => running(p), 30_000, `${p} Running`);
    const paths: Record<string, string> = {};
    for (const p of ['web-0', 'web-1']) {
      const pv = await jp('pvc', `data-${p}`, '.spec.volumeName');
      paths[p] = await jp('pv', pv, '.spec.hostPath.path', false);
      assert.ok(paths[p].startsWith(dir + '/'), paths[p]);
      await eventually(async () => (await readFile(join(paths[p]!, 'id'), 'utf8').catch(() => '')).trim() === p, 10_000, `${p} wrote its id`);
      await eventually(async () => (await readFile(join(paths[p]!, 'part', 'x'), 'utf8').catch(() => '')).trim() === 'sub', 10_000, `${p} wrote into its subPath`);
      assert.match(await k('logs', p, '-n', 'sa'), /fresh/);
    }
    const uid0 = await jp('pod', 'web-0', '.metadata.uid');
    await k('delete', 'pod', 'web-0', 'web-1', '-n', 'sa', '--wait=true', '--timeout=30s');
    await eventually(async () => (await jp('pod', 'web-0', '.metadata.uid').catch(() => uid0)) !== uid0, 20_000, 'web-0 recreated');
    for (const p of ['web-0', 'web-1']) {
      await eventually(() => running(p).catch(() => false), 30_000, `${p} Running again`);
      await eventually(async () => new RegExp(`kept ${p}`).test(await k('logs', p, '-n', 'sa').catch(() => '')), 15_000, `${p} found its data`);
    }
  });

  it('waits in ContainerCreating with FailedMount while the claim is missing', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ghost', namespace: 'sa' },
        spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'ghost' } }] },
      }),
    });
    await eventually(
      async () => /FailedMount.*persistentvolumeclaims "ghost" not found/.test(await k('get', 'events', '-n', 'sa', '--field-selector', 'involvedObject.name=ghost', '-o', 'jsonpath={range .items[*]}{.reason} {.message}{"\\n"}{end}')),
      15_000,
      'FailedMount event',
    );
    assert.equal(await jp('pod', 'ghost', '.status.containerStatuses[0].state.waiting.reason'), 'ContainerCreating');
    await k('delete', 'pod', 'ghost', '-n', 'sa', '--grace-period=0', '--force');
  });

  it('removes the directory of a deleted Delete-policy claim on the node', async () => {
    const pv = await jp('pvc', 'data-web-1', '.spec.volumeName');
    const path = await jp('pv', pv, '.spec.hostPath.path', false);
    assert.ok(existsSync(path));
    await k('delete', 'statefulset', 'web', '-n', 'sa', '--cascade=foreground', '--timeout=30s');
    await eventually(async () => !(await k('get', 'pods', '-n', 'sa', '-o', 'name')).includes('web-'), 30_000, 'pods gone');
    await k('delete', 'pvc', 'data-web-1', '-n', 'sa', '--timeout=30s');
    await eventually(async () => !existsSync(path), 20_000, 'data directory removed');
    await eventually(async () => (await k('get', 'node', node, '-o', 'jsonpath={.metadata.annotations.local-path\\.skiff\\.dev/cleanup}')) === '', 10_000, 'cleanup annotation cleared');
    assert.ok(existsSync(await jp('pv', await jp('pvc', 'data-web-0', '.spec.volumeName'), '.spec.hostPath.path', false)), 'the other replica keeps its data');
  });
});
