import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { startCluster } from '../../test/support/server.ts';
import { httpsTransport } from './https-transport.ts';
import { loadKubeconfig } from './kubeconfig.ts';
import { refs } from './refs.ts';
import { Client } from './rest.ts';

test('talks to a real server over HTTPS with the kubeconfig client certificate, and streams watches', async () => {
  const cluster = await startCluster({ datastore: 'memory' });
  const transport = httpsTransport(await loadKubeconfig(cluster.server.kubeconfigPath));
  const ctl = new AbortController();
  try {
    const client = new Client(transport);
    const namespaces = await client.resource<Namespace & KubeObject>(refs.namespaces).list();
    assert.ok(namespaces.items.some((n) => n.metadata?.name === 'kube-system'));
    const cms = client.resource<ConfigMap & KubeObject>(refs.configmaps);
    const list = await cms.list({ namespace: 'default' });
    const events = cms.watch({ namespace: 'default', resourceVersion: list.metadata.resourceVersion, signal: ctl.signal })[Symbol.asyncIterator]();
    const first = events.next();
    await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'over-https' }, data: { a: '1' } }, 'default');
    const ev = await first;
    assert.equal(ev.value?.type, 'ADDED');
    assert.equal(ev.value?.object.metadata?.name, 'over-https');
    await assert.rejects(cms.get('missing', 'default'), (err: Error & { code?: number }) => err.code === 404);
    // Without a client certificate the server does not know us.
    const anon = new Client(httpsTransport({ server: cluster.server.url, ca: cluster.server.pki.ca.cert, insecureSkipTLSVerify: false }));
    await assert.rejects(anon.resource(refs.namespaces).list(), (err: Error & { code?: number }) => err.code === 401 || err.code === 403);
  } finally {
    ctl.abort();
    transport.close();
    await cluster.stop();
  }
});
