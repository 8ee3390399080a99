/**
 * Acceptance for `/openapi/v2` on a real `skiff server` (memory store): the real kubectl 1.32
 * fetches it as protobuf for `explain --output plaintext-openapiv2` and for client-side
 * `apply` (patch type and strategic-merge metadata); raw requests check the content
 * negotiation, the ETag / If-None-Match → 304 and that the protobuf decodes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Transport } from '../../src/client/transport.ts';
import { openApiV2DocumentType } from '../../src/apiserver/openapi/v2-proto.ts';
import { haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

const deployment = (image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: ${image}
`;

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of body) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('OpenAPI v2', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  let transport: Transport;
  before(async () => {
    c = await startCluster({ datastore: 'memory' });
    transport = c.server.transportFor({ username: 'test-admin', groups: ['system:masters', 'system:authenticated'] });
  });
  after(async () => {
    await c?.stop();
  });

  it('kubectl explain deployment.spec.strategy --output plaintext-openapiv2 prints the field docs', async () => {
    const r = await c.kubectl(['explain', 'deployment.spec.strategy', '--output', 'plaintext-openapiv2', '-v=6']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /GET https:\/\/[^ ]+\/openapi\/v2\?timeout=32s 200 OK/);
    assert.match(r.stdout, /KIND:\s+Deployment/);
    assert.match(r.stdout, /VERSION:\s+apps\/v1/);
    assert.match(r.stdout, /RESOURCE: strategy <Object>/);
    assert.match(r.stdout, /The deployment strategy to use to replace existing pods with new ones\./);
    assert.match(r.stdout, /rollingUpdate\t<Object>/);
    assert.match(r.stdout, /type\t<string>/);
  });

  it('kubectl explain pods --recursive --output plaintext-openapiv2 walks every nested field', async () => {
    const r = await c.kubectl(['explain', 'pods', '--recursive', '--output', 'plaintext-openapiv2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /KIND:\s+Pod/);
    assert.match(r.stdout, /VERSION:\s+v1/);
    assert.match(r.stdout, /\n {6}containers\t<\[\]Object>\n/);
    assert.match(r.stdout, /\n {9}image\t<string>/);
    assert.match(r.stdout, /\n {12}limits\t<map\[string\]string>/);
    assert.match(r.stdout, /\n {3}status\t<Object>/);
  });

  it('client-side apply computes the strategic merge patch from v2 without warnings', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: deployment('nginx:1.26') });
    // A container added outside the manifest must survive re-apply: containers merge by name.
    // (`kubectl patch` puts the new container first, as upstream's mergeSortedSlice does.)
    await c.kubectl.ok(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}']);
    const r = await c.kubectl(['apply', '-f', '-', '-v=6'], { input: deployment('nginx:1.27') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/web configured/);
    assert.match(r.stderr, /GET https:\/\/[^ ]+\/openapi\/v2\?timeout=32s 200 OK/);
    assert.doesNotMatch(r.stderr, /warning: error calculating patch/);
    const dep = JSON.parse(await c.kubectl.ok(['get', 'deploy', 'web', '-o', 'json'])) as { spec: { template: { spec: { containers: Array<{ name: string; image: string }> } } } };
    assert.deepEqual(dep.spec.template.spec.containers.map((x) => `${x.name}=${x.image}`), ['sidecar=busybox:1.36', 'app=nginx:1.27']);
  });

  it('serves protobuf or JSON by Accept, with an ETag, 304 on If-None-Match and 406 otherwise', async () => {
    const pb = await transport.request({ method: 'GET', path: '/openapi/v2', headers: { accept: PROTOBUF } });
    assert.equal(pb.status, 200);
    assert.equal(pb.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    assert.equal(pb.headers.vary, 'Accept');
    const etag = pb.headers.etag;
    assert.match(etag ?? '', /^"[0-9A-F]{128}"$/);
    const decoded = openApiV2DocumentType().decode(await readAll(pb.body)) as unknown as { swagger: string; definitions: { additional_properties: Array<{ name: string }> } };
    assert.equal(decoded.swagger, '2.0');
    assert.ok(decoded.definitions.additional_properties.some((d) => d.name === 'io.k8s.api.apps.v1.Deployment'));

    const js = await transport.request({ method: 'GET', path: '/openapi/v2', headers: { accept: 'application/json' } });
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'application/json');
    const doc = JSON.parse((await readAll(js.body)).toString('utf8')) as { swagger: string; definitions: Record<string, unknown> };
    assert.equal(doc.swagger, '2.0');
    assert.ok(doc.definitions['io.k8s.api.core.v1.Pod']);

    const cached = await transport.request({ method: 'GET', path: '/openapi/v2', headers: { accept: PROTOBUF, 'if-none-match': etag! } });
    assert.equal(cached.status, 304);
    assert.equal((await readAll(cached.body)).length, 0);

    const bad = await transport.request({ method: 'GET', path: '/openapi/v2', headers: { accept: 'text/html' } });
    assert.equal(bad.status, 406);
    await readAll(bad.body);
  });
});
