/**
 * Acceptance: the garbage collector with the real kubectl. Hand-made ownerReferences between
 * ConfigMaps (and a cluster-scoped owner) so nothing depends on the workload controllers:
 * background deletion removes dependents, `--cascade=foreground` keeps the owner until its
 * blocking dependents are gone, `--cascade=orphan` keeps dependents without the reference.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

describe('garbage collection', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ datastore: 'memory' });
  });
  after(async () => {
    await c?.stop();
  });

  const uidOf = async (args: string[]) => (await c.kubectl.ok(['get', ...args, '-o', 'jsonpath={.metadata.uid}'])).trim();
  const gone = async (args: string[]) => (await c.kubectl(['get', ...args])).stderr.includes('NotFound');
  const dependent = (name: string, owner: string, uid: string, extra = '') => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: default
  ownerReferences:
  - {apiVersion: v1, kind: ConfigMap, name: ${owner}, uid: ${uid}, blockOwnerDeletion: true}
${extra}`;

  it('background: deleting the owner deletes its dependents', async () => {
    const k = c.kubectl;
    await k.ok(['create', 'configmap', 'bg-owner']);
    const uid = await uidOf(['cm', 'bg-owner']);
    await k.ok(['apply', '-f', '-'], { input: dependent('bg-dep', 'bg-owner', uid) });
    // A second owner that stays keeps its dependent alive; only the dead reference goes.
    await k.ok(['create', 'configmap', 'bg-keeper']);
    const keeper = await uidOf(['cm', 'bg-keeper']);
    await k.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: ConfigMap
metadata:
  name: bg-shared
  ownerReferences:
  - {apiVersion: v1, kind: ConfigMap, name: bg-owner, uid: ${uid}}
  - {apiVersion: v1, kind: ConfigMap, name: bg-keeper, uid: ${keeper}}
`,
    });
    await k.ok(['delete', 'cm', 'bg-owner']);
    await eventually(() => gone(['cm', 'bg-dep']), 15_000, 'dependent to be collected');
    const shared = await eventually(async () => {
      const o = JSON.parse(await k.ok(['get', 'cm', 'bg-shared', '-o', 'json']));
      return o.metadata.ownerReferences?.length === 1 ? o : undefined;
    }, 15_000, 'dead owner reference to be dropped');
    assert.equal(shared.metadata.ownerReferences[0].uid, keeper);
  });

  it('a dependent of an owner that never existed is collected; a cluster-scoped owner works', async () => {
    const k = c.kubectl;
    await k.ok(['apply', '-f', '-'], { input: dependent('ghost-dep', 'never-was', '00000000-0000-0000-0000-000000000001') });
    await eventually(() => gone(['cm', 'ghost-dep']), 15_000, 'dependent of a missing owner to be collected');

    await k.ok(['create', 'namespace', 'gc-owner-ns']);
    const nsUid = await uidOf(['namespace', 'gc-owner-ns']);
    await k.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: ConfigMap
metadata:
  name: ns-owned
  namespace: default
  ownerReferences:
  - {apiVersion: v1, kind: Namespace, name: gc-owner-ns, uid: ${nsUid}}
`,
    });
    // The owner exists: the dependent must survive the collector's pass over it (which
    // takes milliseconds, as the tests above show); absence of an action cannot be polled.
    await new Promise((r) => setTimeout(r, 500));
    await k.ok(['get', 'cm', 'ns-owned']);
    await k.ok(['delete', 'namespace', 'gc-owner-ns', '--wait=false']);
    await eventually(() => gone(['cm', 'ns-owned']), 20_000, 'dependent of a deleted namespace to be collected');
  });

  it('foreground: the owner waits for its blocking dependents', async () => {
    const k = c.kubectl;
    await k.ok(['create', 'configmap', 'fg-owner']);
    const uid = await uidOf(['cm', 'fg-owner']);
    await k.ok(['apply', '-f', '-'], { input: dependent('fg-dep', 'fg-owner', uid, '  finalizers: [example.com/hold]\n') });
    await k.ok(['delete', 'cm', 'fg-owner', '--cascade=foreground', '--wait=false']);
    const owner = JSON.parse(await k.ok(['get', 'cm', 'fg-owner', '-o', 'json']));
    assert.ok(owner.metadata.deletionTimestamp);
    assert.deepEqual(owner.metadata.finalizers, ['foregroundDeletion']);
    await eventually(async () => JSON.parse(await k.ok(['get', 'cm', 'fg-dep', '-o', 'json'])).metadata.deletionTimestamp, 15_000, 'dependent to be deleted');
    // Held by its finalizer, the dependent keeps the owner here too.
    assert.ok(JSON.parse(await k.ok(['get', 'cm', 'fg-owner', '-o', 'json'])).metadata.deletionTimestamp);
    await k.ok(['patch', 'cm', 'fg-dep', '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
    await eventually(() => gone(['cm', 'fg-owner']), 15_000, 'owner to go after its dependent');
    assert.ok(await gone(['cm', 'fg-dep']));
  });

  it('foreground with kubectl waiting: delete returns once the dependents are gone', async () => {
    const k = c.kubectl;
    await k.ok(['create', 'configmap', 'fgw-owner']);
    const uid = await uidOf(['cm', 'fgw-owner']);
    await k.ok(['apply', '-f', '-'], { input: dependent('fgw-dep', 'fgw-owner', uid) });
    await k.ok(['delete', 'cm', 'fgw-owner', '--cascade=foreground', '--timeout=20s']);
    assert.ok(await gone(['cm', 'fgw-dep']));
  });

  it('orphan: dependents stay, without the owner reference', async () => {
    const k = c.kubectl;
    await k.ok(['create', 'configmap', 'or-owner']);
    const uid = await uidOf(['cm', 'or-owner']);
    await k.ok(['apply', '-f', '-'], { input: dependent('or-dep', 'or-owner', uid) });
    await k.ok(['delete', 'cm', 'or-owner', '--cascade=orphan', '--timeout=20s']);
    assert.ok(await gone(['cm', 'or-owner']));
    const dep = JSON.parse(await k.ok(['get', 'cm', 'or-dep', '-o', 'json']));
    assert.equal(dep.metadata.ownerReferences, undefined);
    assert.equal(dep.metadata.deletionTimestamp, undefined);
  });

  it('a graceful pod keeps terminating after the collector drops its orphan finalizer', async () => {
    const k = c.kubectl;
    await k.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: graceful, namespace: default}
spec:
  nodeName: some-node
  containers: [{name: c, image: busybox}]
`,
    });
    await k.ok(['delete', 'pod', 'graceful', '--cascade=orphan', '--wait=false']);
    const p = await eventually(async () => {
      const o = JSON.parse(await k.ok(['get', 'pod', 'graceful', '-o', 'json']));
      return o.metadata.deletionTimestamp && !o.metadata.finalizers?.length ? o : undefined;
    }, 15_000, 'orphan finalizer to be removed');
    assert.equal(p.metadata.deletionGracePeriodSeconds, 30, 'still waiting for its kubelet');
    await k.ok(['delete', 'pod', 'graceful', '--grace-period=0', '--force']);
  });
});
