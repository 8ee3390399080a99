/**
 * Acceptance: everyday kubectl commands against a real Skiff server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

describe('kubectl basics', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.stop();
  });

  it('version reports the server as 1.32', async () => {
    const out = await c.kubectl.ok(['version']);
    assert.match(out, /Client Version: v1\.32/);
    assert.match(out, /Server Version: v1\.32\.0/);
  });

  it('api-resources lists the built-in kinds with short names', async () => {
    const out = await c.kubectl.ok(['api-resources']);
    assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    assert.match(out, /^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
  });

  it('explain shows field documentation', async () => {
    const out = await c.kubectl.ok(['explain', 'deployment.spec.strategy']);
    assert.match(out, /FIELD:\s+strategy/);
    assert.match(out, /rollingUpdate/);
  });

  it('lists the system namespaces and creates a new one', async () => {
    const out = await c.kubectl.ok(['get', 'ns']);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(out, new RegExp(`^${ns}\\s+Active`, 'm'));
    assert.equal((await c.kubectl.ok(['create', 'namespace', 'team-a'])).trim(), 'namespace/team-a created');
    assert.match(await c.kubectl.ok(['get', 'ns', 'team-a']), /^team-a\s+Active\s+\d+s$/m);
  });

  it('creates configmaps and secrets from literals and prints their columns', async () => {
    assert.match(await c.kubectl.ok(['create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=two']), /configmap\/cfg created/);
    assert.match(await c.kubectl.ok(['create', 'secret', 'generic', 'sec', '--from-literal=password=s3cret']), /secret\/sec created/);
    assert.match(await c.kubectl.ok(['get', 'cm', 'cfg']), /^NAME\s+DATA\s+AGE\ncfg\s+2\s+\d+s$/m);
    assert.match(await c.kubectl.ok(['get', 'secret', 'sec']), /^sec\s+Opaque\s+1\s+\d+s$/m);
    const pw = await c.kubectl.ok(['get', 'secret', 'sec', '-o', 'jsonpath={.data.password}']);
    assert.equal(Buffer.from(pw, 'base64').toString(), 's3cret');
  });

  it('gets in every output format', async () => {
    await c.kubectl.ok(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2', '-n', 'team-a']);
    const table = await c.kubectl.ok(['get', 'deploy', '-n', 'team-a']);
    assert.match(table, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
    // UP-TO-DATE depends on how far the controller got; nothing is Ready without nodes.
    assert.match(table, /^web\s+0\/2\s+[0-2]\s+0\s+\d+s$/m);
    const wide = await c.kubectl.ok(['get', 'deploy', 'web', '-n', 'team-a', '-o', 'wide']);
    assert.match(wide, /CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(wide, /nginx\s+nginx:1\.25\s+app=web/);
    const yaml = await c.kubectl.ok(['get', 'deploy', 'web', '-n', 'team-a', '-o', 'yaml']);
    assert.match(yaml, /^kind: Deployment$/m);
    assert.match(yaml, /maxSurge: 25%/);
    const json = JSON.parse(await c.kubectl.ok(['get', 'deploy', 'web', '-n', 'team-a', '-o', 'json']));
    assert.equal(json.spec.replicas, 2);
    assert.equal(json.spec.template.spec.containers[0].image, 'nginx:1.25');
    assert.equal(json.metadata.generation, 1);
    const jp = await c.kubectl.ok(['get', 'deploy', '-n', 'team-a', '-o', 'jsonpath={.items[*].metadata.name}']);
    assert.equal(jp, 'web');
    const all = await c.kubectl.ok(['get', 'cm', '-A']);
    assert.match(all, /^NAMESPACE\s+NAME\s+DATA\s+AGE$/m);
    assert.match(all, /^default\s+cfg\s+2\s+\d+s$/m);
  });

  it('describes, labels and annotates', async () => {
    const d = await c.kubectl.ok(['describe', 'deploy', 'web', '-n', 'team-a']);
    assert.match(d, /Name:\s+web/);
    assert.match(d, /Replicas:\s+2 desired/);
    assert.match(d, /StrategyType:\s+RollingUpdate/);
    assert.match(await c.kubectl.ok(['label', 'cm', 'cfg', 'tier=backend']), /configmap\/cfg labeled/);
    assert.match(await c.kubectl.ok(['get', 'cm', '-l', 'tier=backend', '--show-labels']), /cfg\s+2\s+\S+\s+tier=backend/);
    assert.match(await c.kubectl.ok(['annotate', 'cm', 'cfg', 'owner=ops']), /configmap\/cfg annotated/);
    assert.equal(await c.kubectl.ok(['get', 'cm', 'cfg', '-o', 'jsonpath={.metadata.annotations.owner}']), 'ops');
    assert.match(await c.kubectl.ok(['label', 'cm', 'cfg', 'tier-']), /configmap\/cfg unlabeled/);
  });

  it('reports errors as upstream does', async () => {
    const missing = await c.kubectl(['get', 'cm', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Error from server \(NotFound\): configmaps "nope" not found/);
    const dup = await c.kubectl(['create', 'configmap', 'cfg']);
    assert.match(dup.stderr, /configmaps "cfg" already exists/);
    const dupApply = await c.kubectl(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n' });
    assert.match(dupApply.stderr, /Error from server \(AlreadyExists\): error when creating "STDIN": configmaps "cfg" already exists/);
    const noNs = await c.kubectl(['create', 'configmap', 'x', '-n', 'does-not-exist']);
    assert.match(noNs.stderr, /namespaces "does-not-exist" not found/);
    const bad = await c.kubectl(['create', 'deployment', 'Bad_Name', '--image=x']);
    assert.match(bad.stderr, /is invalid: metadata\.name: Invalid value: "Bad_Name"/);
  });

  it('auth can-i and whoami answer for the admin', async () => {
    assert.equal((await c.kubectl.ok(['auth', 'can-i', 'create', 'pods'])).trim(), 'yes');
    const who = await c.kubectl.ok(['auth', 'whoami']);
    assert.match(who, /skiff-admin/);
    assert.match(who, /system:masters/);
  });

  it('deletes', async () => {
    assert.match(await c.kubectl.ok(['delete', 'cm', 'cfg']), /configmap "cfg" deleted/);
    assert.match((await c.kubectl(['get', 'cm', 'cfg'])).stderr, /NotFound/);
  });
});
