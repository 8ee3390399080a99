/**
 * Acceptance: the official @kubernetes/client-node does CRUD, patch and runs an informer
 * against a real Skiff server over HTTPS with the admin client certificate.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { eventually } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

describe('@kubernetes/client-node', () => {
  let c: TestCluster;
  let kc: k8s.KubeConfig;
  before(async () => {
    c = await startCluster({ datastore: 'memory' });
    kc = new k8s.KubeConfig();
    kc.loadFromFile(c.server.kubeconfigPath);
  });
  after(async () => {
    await c?.stop();
  });

  it('creates, reads, patches, lists and deletes', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'js' } } });
    const created = await core.createNamespacedConfigMap({ namespace: 'js', body: { metadata: { name: 'cfg', labels: { a: 'b' } }, data: { k: 'v' } } });
    assert.ok(created.metadata?.uid);
    const read = await core.readNamespacedConfigMap({ name: 'cfg', namespace: 'js' });
    assert.equal(read.data?.k, 'v');
    const patched = await core.patchNamespacedConfigMap(
      { name: 'cfg', namespace: 'js', body: [{ op: 'add', path: '/data/extra', value: '1' }] },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
    assert.equal(patched.data?.extra, '1');
    const list = await core.listNamespacedConfigMap({ namespace: 'js', labelSelector: 'a=b' });
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['cfg']);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'js',
      body: {
        metadata: { name: 'd' },
        spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
      },
    });
    const scale = await apps.readNamespacedDeploymentScale({ name: 'd', namespace: 'js' });
    assert.equal(scale.spec?.replicas, 1);
    await core.deleteNamespacedConfigMap({ name: 'cfg', namespace: 'js' });
    await assert.rejects(core.readNamespacedConfigMap({ name: 'cfg', namespace: 'js' }), (err: unknown) => (err as { code?: number }).code === 404);
  });

  it('runs an informer that sees adds, updates and deletes', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/js/configmaps', () => core.listNamespacedConfigMap({ namespace: 'js' }));
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update:${o.metadata?.name}:${(o as k8s.V1ConfigMap).data?.v}`));
    informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: 'js', body: { metadata: { name: 'watched' }, data: { v: '1' } } });
      await eventually(() => seen.includes('add:watched'), 10_000, 'add event');
      await core.replaceNamespacedConfigMap({ name: 'watched', namespace: 'js', body: { metadata: { name: 'watched' }, data: { v: '2' } } });
      await eventually(() => seen.includes('update:watched:2'), 10_000, 'update event');
      assert.equal(informer.get('watched', 'js')?.data?.v, '2');
      await core.deleteNamespacedConfigMap({ name: 'watched', namespace: 'js' });
      await eventually(() => seen.includes('delete:watched'), 10_000, 'delete event');
    } finally {
      await informer.stop();
    }
  });
});
