/**
 * Acceptance for the control-plane part of storage on `skiff server --sim-nodes 2`, driven by
 * the real kubectl: static volumes bind to claims (smallest that fits) with upstream columns;
 * an access-mode mismatch stays Pending with FailedBinding; Retain → Released; an Immediate
 * local-path class provisions and binds, and Delete removes the volume; a claim in use stays
 * Terminating until its pod is gone; the default class `local-path` exists and waits for a
 * first consumer, and DefaultStorageClass admission gives it to a claim without a class.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const pv = (name: string, size: string, modes: string, policy = 'Retain', cls = 'manual') => `apiVersion: v1
kind: PersistentVolume
metadata: {name: ${name}}
spec:
  capacity: {storage: ${size}}
  accessModes: [${modes}]
  persistentVolumeReclaimPolicy: ${policy}
  storageClassName: "${cls}"
  hostPath: {path: /tmp/${name}}
`;
const pvc = (name: string, size: string, modes: string, cls = 'manual') => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}, namespace: st}
spec:
  accessModes: [${modes}]
  storageClassName: "${cls}"
  resources: {requests: {storage: ${size}}}
`;

describe('storage: PV binding, reclaim, provisioning and protection', { skip: !haveKubectl && 'kubectl not installed' }, () => {
  let c: TestCluster;
  const k = (...args: string[]) => c.kubectl.ok(args);
  const jp = (kind: string, name: string, path: string, ns = true) => k('get', kind, name, ...(ns ? ['-n', 'st'] : []), '-o', `jsonpath={${path}}`);
  const events = async (claim: string) => k('get', 'events', '-n', 'st', '--field-selector', `involvedObject.name=${claim}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');

  before(async () => {
    c = await startCluster({ datastore: 'memory', simNodes: 2, controllerOptions: { pvResyncPeriodMs: 1000 } });
    await k('create', 'namespace', 'st');
  });
  after(async () => {
    await c?.stop();
  });

  it('binds a claim to the smallest fitting volume, with upstream columns', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: pv('pv-big', '5Gi', 'ReadWriteOnce') + '---\n' + pv('pv-small', '1Gi', 'ReadWriteOnce') });
    await eventually(async () => (await jp('pv', 'pv-small', '.status.phase', false)) === 'Available', 10_000, 'pv Available');
    await c.kubectl.ok(['apply', '-f', '-'], { input: pvc('data', '500Mi', 'ReadWriteOnce') });
    await eventually(async () => (await jp('pvc', 'data', '.status.phase')) === 'Bound', 15_000, 'claim Bound');
    assert.equal(await jp('pvc', 'data', '.spec.volumeName'), 'pv-small');
    assert.equal(await jp('pv', 'pv-small', '.status.phase', false), 'Bound');
    assert.equal(await jp('pv', 'pv-small', '.spec.claimRef.name', false), 'data');
    assert.equal(await jp('pvc', 'data', '.metadata.annotations.pv\\.kubernetes\\.io/bind-completed'), 'yes');
    assert.equal(await jp('pv', 'pv-big', '.status.phase', false), 'Available');
    assert.match(await jp('pvc', 'data', '.metadata.finalizers'), /kubernetes\.io\/pvc-protection/);
    assert.match(await jp('pv', 'pv-small', '.metadata.finalizers', false), /kubernetes\.io\/pv-protection/);
    const out = await k('get', 'pv,pvc', '-n', 'st');
    assert.match(out, /NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE/);
    assert.match(out, /NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE/);
    assert.match(out, /persistentvolume\/pv-small\s+1Gi\s+RWO\s+Retain\s+Bound\s+st\/data\s+manual\s+<unset>/);
    assert.match(out, /persistentvolumeclaim\/data\s+Bound\s+pv-small\s+1Gi\s+RWO\s+manual\s+<unset>/);
  });

  it('leaves a claim Pending with FailedBinding when no volume offers its access mode', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: pv('pv-rwo', '1Gi', 'ReadWriteOnce', 'Retain', '') + '---\n' + pvc('shared', '1Gi', 'ReadWriteMany', '') });
    await eventually(async () => /FailedBinding: no persistent volumes available for this claim and no storage class is set/.test(await events('shared')), 15_000, 'FailedBinding event');
    assert.equal(await jp('pvc', 'shared', '.status.phase'), 'Pending');
    assert.equal(await jp('pv', 'pv-rwo', '.status.phase', false), 'Available');
  });

  it('releases a Retain volume when its claim is deleted', async () => {
    await k('delete', 'pvc', 'data', '-n', 'st', '--wait=true', '--timeout=20s');
    await eventually(async () => (await jp('pv', 'pv-small', '.status.phase', false)) === 'Released', 15_000, 'pv Released');
  });

  it('provisions for an Immediate local-path class, and Delete removes the volume', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: rancher.io/local-path
reclaimPolicy: Delete
volumeBindingMode: Immediate
---
${pvc('scratch', '2Gi', 'ReadWriteOnce', 'fast')}`,
    });
    await eventually(async () => (await jp('pvc', 'scratch', '.status.phase')) === 'Bound', 15_000, 'provisioned claim Bound');
    const uid = await jp('pvc', 'scratch', '.metadata.uid');
    const name = await jp('pvc', 'scratch', '.spec.volumeName');
    assert.equal(name, `pvc-${uid}`);
    assert.equal(await jp('pvc', 'scratch', '.metadata.annotations.volume\\.kubernetes\\.io/storage-provisioner'), 'rancher.io/local-path');
    assert.equal(await jp('pv', name, '.spec.persistentVolumeReclaimPolicy', false), 'Delete');
    assert.equal(await jp('pv', name, '.spec.capacity.storage', false), '2Gi');
    const node = await jp('pv', name, '.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]', false);
    assert.ok(node, 'provisioned volume has node affinity');
    assert.match(await events('scratch'), new RegExp(`ProvisioningSucceeded: Successfully provisioned volume ${name}`));
    const path = await jp('pv', name, '.spec.hostPath.path', false);
    await k('delete', 'pvc', 'scratch', '-n', 'st', '--timeout=20s');
    await eventually(async () => !(await k('get', 'pv', '-o', 'name')).includes(name), 15_000, 'provisioned pv deleted');
    const cleanup = await k('get', 'node', node, '-o', 'jsonpath={.metadata.annotations.local-path\\.skiff\\.dev/cleanup}');
    assert.ok(cleanup.includes(path), `cleanup annotation ${cleanup} names ${path}`);
  });

  it('keeps a claim in use Terminating until its pod is gone', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: `${pvc('inuse', '1Gi', 'ReadWriteOnce')}---
apiVersion: v1
kind: Pod
metadata: {name: user, namespace: st}
spec:
  containers: [{name: c, image: busybox:1.36}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: inuse}}]
`,
    });
    await eventually(async () => (await jp('pvc', 'inuse', '.status.phase')) === 'Bound', 15_000, 'claim Bound to pv-big');
    await k('delete', 'pvc', 'inuse', '-n', 'st', '--wait=false');
    await eventually(async () => /Terminating/.test(await k('get', 'pvc', 'inuse', '-n', 'st')), 10_000, 'claim Terminating');
    // Held: the finalizer stays while the pod exists (the protection controller has had time to act).
    await eventually(async () => (await jp('pvc', 'inuse', '.metadata.deletionTimestamp')) !== '', 5_000, 'deletionTimestamp');
    assert.match(await jp('pvc', 'inuse', '.metadata.finalizers'), /kubernetes\.io\/pvc-protection/);
    await k('delete', 'pod', 'user', '-n', 'st', '--grace-period=0', '--force');
    await eventually(async () => !(await k('get', 'pvc', '-n', 'st', '-o', 'name')).includes('inuse'), 20_000, 'claim gone after pod');
    await eventually(async () => (await jp('pv', 'pv-big', '.status.phase', false)) === 'Released', 15_000, 'pv-big Released');
  });

  it('has the default class local-path, which waits for a first consumer', async () => {
    assert.equal(await k('get', 'storageclass', 'local-path', '-o', 'jsonpath={.metadata.annotations.storageclass\\.kubernetes\\.io/is-default-class}'), 'true');
    assert.match(await k('get', 'storageclass'), /local-path \(default\)\s+rancher\.io\/local-path\s+Delete\s+WaitForFirstConsumer/);
    await c.kubectl.ok(['apply', '-f', '-'], { input: pvc('later', '1Gi', 'ReadWriteOnce', 'local-path') });
    await eventually(async () => /WaitForFirstConsumer: waiting for first consumer to be created before binding/.test(await events('later')), 15_000, 'WaitForFirstConsumer event');
    assert.equal(await jp('pvc', 'later', '.status.phase'), 'Pending');
    // DefaultStorageClass admission gives a claim without a class the default one.
    const noClass = pvc('defaulted', '1Gi', 'ReadWriteOnce').replace('  storageClassName: "manual"\n', '');
    await c.kubectl.ok(['apply', '-f', '-'], { input: noClass });
    assert.equal(await jp('pvc', 'defaulted', '.spec.storageClassName'), 'local-path');
    await eventually(async () => /WaitForFirstConsumer/.test(await events('defaulted')), 15_000, 'defaulted claim waits');
  });
});
