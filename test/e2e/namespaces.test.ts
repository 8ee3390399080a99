/**
 * Acceptance: deleting a namespace removes everything in it; nothing can be created in a
 * namespace that is missing or terminating; the system namespaces cannot be deleted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

describe('namespace lifecycle', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ datastore: 'memory' });
  });
  after(async () => {
    await c?.stop();
  });

  it('deleting a namespace deletes its contents, waiting for finalizers', async () => {
    const k = c.kubectl;
    await k.ok(['create', 'namespace', 'doomed']);
    await k.ok(['create', 'configmap', 'a', '-n', 'doomed', '--from-literal=x=1']);
    await k.ok(['create', 'deployment', 'd', '-n', 'doomed', '--image=busybox']);
    await k.ok(['create', 'configmap', 'held', '-n', 'doomed']);
    await k.ok(['patch', 'cm', 'held', '-n', 'doomed', '--type', 'merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);

    await k.ok(['delete', 'namespace', 'doomed', '--wait=false']);
    await eventually(async () => (await k(['get', 'cm', 'a', '-n', 'doomed'])).stderr.includes('NotFound'), 15_000, 'configmap a to go');
    await eventually(async () => (await k(['get', 'deploy', 'd', '-n', 'doomed'])).stderr.includes('NotFound'), 15_000, 'deployment to go');
    assert.match(await k.ok(['get', 'ns', 'doomed']), /doomed\s+Terminating/);
    const held = JSON.parse(await k.ok(['get', 'cm', 'held', '-n', 'doomed', '-o', 'json']));
    assert.ok(held.metadata.deletionTimestamp, 'finalized object is marked for deletion');

    const refused = await k(['create', 'configmap', 'late', '-n', 'doomed']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated/);

    await k.ok(['patch', 'cm', 'held', '-n', 'doomed', '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
    await eventually(async () => (await k(['get', 'ns', 'doomed'])).stderr.includes('NotFound'), 15_000, 'namespace to go');
  });

  it('refuses to delete the system namespaces', async () => {
    const r = await c.kubectl(['delete', 'namespace', 'kube-system']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Forbidden.*this namespace may not be deleted/);
  });
});
