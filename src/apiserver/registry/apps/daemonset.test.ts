import { test } from 'node:test';
import assert from 'node:assert/strict';
import { haveKubectl } from '../../../../test/support/kubectl.ts';
import { startCluster } from '../../../../test/support/server.ts';
import { daemonSetStrategy, templateGenerationAnnotation } from './daemonset.ts';

function ds(image = 'nginx:1.27') {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image }] } },
    },
  } as any;
}

test('daemonset template generation starts at 1 and follows template changes only', () => {
  const created = ds();
  daemonSetStrategy.prepareForCreate!(created);
  daemonSetStrategy.defaults!(created);
  assert.equal(created.metadata.annotations[templateGenerationAnnotation], '1');

  const sameTemplate = structuredClone(created);
  delete sameTemplate.metadata.annotations;
  sameTemplate.spec.minReadySeconds = 5;
  daemonSetStrategy.defaults!(sameTemplate);
  daemonSetStrategy.prepareForUpdate!(sameTemplate, created);
  assert.equal(sameTemplate.metadata.annotations[templateGenerationAnnotation], '1');

  const newImage = structuredClone(created);
  newImage.spec.template.spec.containers[0].image = 'nginx:1.28';
  daemonSetStrategy.defaults!(newImage);
  daemonSetStrategy.prepareForUpdate!(newImage, created);
  assert.equal(newImage.metadata.annotations[templateGenerationAnnotation], '2');
});

test('the API server keeps the template generation annotation (real server, real kubectl)', { skip: haveKubectl ? false : 'no kubectl' }, async () => {
  const c = await startCluster({ datastore: 'memory' });
  try {
    const manifest = (image: string, minReady: number) => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  minReadySeconds: ${minReady}
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: c, image: "${image}"}]
`;
    const read = async () =>
      JSON.parse(await c.kubectl.ok(['get', 'ds', 'agent', '-o', 'json'])) as { metadata: { generation: number; annotations?: Record<string, string> } };
    await c.kubectl.ok(['apply', '-f', '-'], { input: manifest('nginx:1.27', 0) });
    let ds = await read();
    assert.equal(ds.metadata.annotations?.[templateGenerationAnnotation], '1');
    await c.kubectl.ok(['apply', '-f', '-'], { input: manifest('nginx:1.28', 0) });
    ds = await read();
    assert.equal(ds.metadata.generation, 2);
    assert.equal(ds.metadata.annotations?.[templateGenerationAnnotation], '2');
    await c.kubectl.ok(['apply', '-f', '-'], { input: manifest('nginx:1.28', 5) });
    ds = await read();
    assert.equal(ds.metadata.generation, 3);
    assert.equal(ds.metadata.annotations?.[templateGenerationAnnotation], '2', 'only template changes move it');
  } finally {
    await c.stop();
  }
});
