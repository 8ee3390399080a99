import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCluster, type TestCluster } from '../../test/support/server.ts';
import { eventually, haveKubectl } from '../../test/support/kubectl.ts';
import { description } from './root-ca-publisher.ts';

interface CM {
  metadata: { annotations?: Record<string, string> };
  data?: Record<string, string>;
}

describe('root-ca-cert-publisher', { skip: !haveKubectl && 'kubectl is not installed' }, () => {
  let cluster: TestCluster;
  let ca: string;
  before(async () => {
    cluster = await startCluster({ datastore: 'memory' });
    ca = await readFile(join(cluster.dataDir, 'tls', 'ca.crt'), 'utf8');
  });
  after(() => cluster?.stop());

  const read = async (ns: string): Promise<CM | undefined> => {
    const r = await cluster.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', ns, '-o', 'json']);
    return r.code === 0 ? (JSON.parse(r.stdout) as CM) : undefined;
  };
  const published = (ns: string) =>
    eventually(async () => {
      const cm = await read(ns);
      return cm?.data?.['ca.crt'] === ca && Object.keys(cm.data).length === 1 ? cm : undefined;
    }, 15_000, `kube-root-ca.crt in ${ns}`);

  it('publishes the cluster CA into existing and new namespaces', async () => {
    const cm = await published('kube-system');
    assert.equal(cm.metadata.annotations?.['kubernetes.io/description'], description);
    await cluster.kubectl.ok(['create', 'namespace', 'fresh']);
    await published('fresh');
  });

  it('recreates a deleted copy and puts an edited one back', async () => {
    await cluster.kubectl.ok(['create', 'namespace', 'edits']);
    await published('edits');
    await cluster.kubectl.ok(['delete', 'configmap', 'kube-root-ca.crt', '-n', 'edits']);
    await published('edits');
    await cluster.kubectl.ok(['patch', 'configmap', 'kube-root-ca.crt', '-n', 'edits', '--type=merge', '-p', '{"data":{"ca.crt":"bogus","extra":"x"}}']);
    await published('edits');
  });
});
