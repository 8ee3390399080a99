/**
 * Acceptance: apply (client- and server-side), the four patch types, replace with a stale
 * resourceVersion, watch and chunked lists, through the real kubectl.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const manifests = (image: string, data: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  mode: ${data}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  labels: {app: api}
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: ${image}
        env:
        - {name: MODE, value: fast}
      - name: sidecar
        image: busybox:1.36
        command: ["sleep", "3600"]
`;

describe('kubectl writes', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.stop();
  });

  it('apply: created, then unchanged, then configured', async () => {
    const first = await c.kubectl.ok(['apply', '-f', '-'], { input: manifests('shop/api:1', 'a') });
    assert.match(first, /namespace\/shop created/);
    assert.match(first, /configmap\/settings created/);
    assert.match(first, /deployment\.apps\/api created/);
    const again = await c.kubectl.ok(['apply', '-f', '-'], { input: manifests('shop/api:1', 'a') });
    assert.match(again, /namespace\/shop unchanged/);
    assert.match(again, /configmap\/settings unchanged/);
    assert.match(again, /deployment\.apps\/api unchanged/);
    const edited = await c.kubectl.ok(['apply', '-f', '-'], { input: manifests('shop/api:2', 'b') });
    assert.match(edited, /configmap\/settings configured/);
    assert.match(edited, /deployment\.apps\/api configured/);
    const dep = JSON.parse(await c.kubectl.ok(['get', 'deploy', 'api', '-n', 'shop', '-o', 'json']));
    assert.deepEqual(dep.spec.template.spec.containers.map((x: { image: string }) => x.image), ['shop/api:2', 'busybox:1.36']);
    assert.equal(dep.metadata.generation, 2);
  });

  it('strategic merge patch merges containers by name', async () => {
    await c.kubectl.ok(['patch', 'deploy', 'api', '-n', 'shop', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}']);
    const dep = JSON.parse(await c.kubectl.ok(['get', 'deploy', 'api', '-n', 'shop', '-o', 'json']));
    const containers = dep.spec.template.spec.containers as { name: string; image: string; env?: unknown[] }[];
    assert.deepEqual(containers.map((x) => `${x.name}=${x.image}`), ['api=shop/api:2', 'sidecar=busybox:1.37']);
    assert.equal(containers[0]!.env?.length, 1);
  });

  it('merge patch and JSON patch', async () => {
    await c.kubectl.ok(['patch', 'cm', 'settings', '-n', 'shop', '--type', 'merge', '-p', '{"data":{"extra":"1"}}']);
    await c.kubectl.ok(['patch', 'cm', 'settings', '-n', 'shop', '--type', 'json', '-p', '[{"op":"replace","path":"/data/mode","value":"c"}]']);
    const cm = JSON.parse(await c.kubectl.ok(['get', 'cm', 'settings', '-n', 'shop', '-o', 'json']));
    assert.deepEqual(cm.data, { mode: 'c', extra: '1' });
    const badTest = await c.kubectl(['patch', 'cm', 'settings', '-n', 'shop', '--type', 'json', '-p', '[{"op":"test","path":"/data/mode","value":"zzz"}]']);
    assert.notEqual(badTest.code, 0);
  });

  it('server-side apply creates and then updates with managed fields', async () => {
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: shop\ndata:\n  k: v1\n`;
    assert.match(await c.kubectl.ok(['apply', '--server-side', '-f', '-'], { input: cm }), /configmap\/ssa serverside-applied/);
    await c.kubectl.ok(['apply', '--server-side', '-f', '-'], { input: cm.replace('k: v1', 'k: v2') });
    const got = JSON.parse(await c.kubectl.ok(['get', 'cm', 'ssa', '-n', 'shop', '-o', 'json', '--show-managed-fields']));
    assert.equal(got.data.k, 'v2');
    assert.ok(got.metadata.managedFields.some((m: { manager: string; operation: string }) => m.manager === 'kubectl' && m.operation === 'Apply'));
  });

  it('replace with a stale resourceVersion is a Conflict', async () => {
    const stale = JSON.parse(await c.kubectl.ok(['get', 'cm', 'settings', '-n', 'shop', '-o', 'json']));
    await c.kubectl.ok(['label', 'cm', 'settings', '-n', 'shop', 'bump=1']);
    stale.data.mode = 'stale';
    const r = await c.kubectl(['replace', '-f', '-'], { input: JSON.stringify(stale) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(Conflict\).*the object has been modified; please apply your changes to the latest version and try again/);
  });

  it('get -w sees a later change', async () => {
    const watch = c.kubectl.spawn(['get', 'cm', '-n', 'shop', '-w']);
    await eventually(() => watch.output().includes('settings'), 10_000, 'initial rows');
    await c.kubectl.ok(['create', 'configmap', 'late', '-n', 'shop', '--from-literal=x=y']);
    await eventually(() => /^late\s+1\s+/m.test(watch.output()), 10_000, 'watch to show the new configmap');
    await watch.stop();
  });

  it('get --chunk-size=50 pages through 120 objects', async () => {
    await c.kubectl.ok(['create', 'namespace', 'many']);
    const docs = Array.from({ length: 120 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${String(i).padStart(3, '0')}\n  namespace: many\ndata: {i: "${i}"}\n`).join('---\n');
    await c.kubectl.ok(['create', '-f', '-'], { input: docs, timeoutMs: 120_000 });
    const r = await c.kubectl(['get', 'cm', '-n', 'many', '--chunk-size=50', '--no-headers', '-v=6']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((r.stderr.match(/limit=50/g) ?? []).length, 3, 'three pages of at most 50');
    assert.match(r.stderr, /continue=/);
    const names = r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]).filter((n) => n?.startsWith('cm-'));
    assert.equal(names.length, 120);
    assert.equal(new Set(names).size, 120);
  });
});
