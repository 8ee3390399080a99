/**
 * @module Unit tests of the `/openapi/v2` Swagger document (v2.ts) and its protobuf encoding
 * (v2-proto.ts): document shape, refs, GVK and strategic-merge extensions, negotiation, ETags,
 * and a decode of the protobuf with the same descriptor.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { builtinResources } from '../../machinery/resources.ts';
import { openApiV2Document, type Json } from './v2.ts';
import { documentMessage, etagMatches, negotiateOpenApiV2, openApiV2DocumentType, openApiV2Protobuf } from './v2-proto.ts';

const rendered = openApiV2Document(builtinResources);
const { doc } = rendered;
const defs = doc.definitions as Record<string, Json & { properties?: Record<string, Json> }>;
const prop = (def: string, field: string): Json => {
  const p = defs[def]?.properties?.[field];
  assert.ok(p, `${def}.${field} exists`);
  return p;
};

test('is a Swagger 2.0 document with upstream definition names and GVK arrays', () => {
  assert.equal(doc.swagger, '2.0');
  assert.equal(doc.info.title, 'Kubernetes');
  const dep = defs['io.k8s.api.apps.v1.Deployment'];
  assert.ok(dep);
  assert.equal(dep.type, 'object');
  assert.deepEqual(dep['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.deepEqual(defs['io.k8s.api.core.v1.Pod']?.['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assert.match(String(prop('io.k8s.api.apps.v1.DeploymentSpec', 'strategy').description), /The deployment strategy to use/);
});

test('every $ref is a #/definitions/ ref that resolves', () => {
  const refs = new Set<string>();
  JSON.stringify(doc, (k, v: unknown) => {
    if (k === '$ref') refs.add(String(v));
    return v;
  });
  assert.ok(refs.size > 100);
  for (const r of refs) {
    assert.ok(r.startsWith('#/definitions/'), r);
    assert.ok(defs[r.slice('#/definitions/'.length)], `dangling ${r}`);
  }
});

test('schemas use the v2 forms (no allOf/oneOf), as upstream swagger.json', () => {
  const text = rendered.json;
  assert.ok(!text.includes('"allOf"'));
  assert.ok(!text.includes('"oneOf"'));
  assert.ok(!text.includes('#/components/'));
  assert.deepEqual(
    { type: defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']?.type, format: defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']?.format },
    { type: 'string', format: 'int-or-string' },
  );
  assert.equal(defs['io.k8s.apimachinery.pkg.api.resource.Quantity']?.type, 'string');
  assert.equal(defs['io.k8s.apimachinery.pkg.runtime.RawExtension']?.type, 'object');
  const meta = prop('io.k8s.api.apps.v1.Deployment', 'metadata');
  assert.equal(meta.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.match(String(meta.description), /Standard object's metadata/);
});

test('carries the strategic-merge-patch struct tags', () => {
  const containers = prop('io.k8s.api.core.v1.PodSpec', 'containers');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(prop('io.k8s.api.core.v1.PodSpec', 'volumes')['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.equal(prop('io.k8s.api.core.v1.Container', 'ports')['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.equal(prop('io.k8s.api.core.v1.Container', 'volumeMounts')['x-kubernetes-patch-merge-key'], 'mountPath');
  assert.equal(prop('io.k8s.api.apps.v1.DeploymentSpec', 'strategy')['x-kubernetes-patch-strategy'], 'retainKeys');
  assert.equal(prop('io.k8s.api.apps.v1.DeploymentStatus', 'conditions')['x-kubernetes-patch-merge-key'], 'type');
  assert.equal(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'ownerReferences')['x-kubernetes-patch-merge-key'], 'uid');
  assert.equal(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers')['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(prop('io.k8s.api.policy.v1.PodDisruptionBudgetSpec', 'selector')['x-kubernetes-patch-strategy'], 'replace');
  // Untagged fields stay untagged (atomic lists).
  assert.equal(prop('io.k8s.api.core.v1.Container', 'args')['x-kubernetes-patch-strategy'], undefined);
});

test('paths carry operations with x-kubernetes-action and a GVK map, as upstream', () => {
  const gvk = { group: 'apps', kind: 'Deployment', version: 'v1' };
  const coll = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'] as Record<string, Json>;
  const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'] as Record<string, Json>;
  assert.ok(coll && item);
  const actions = (p: Record<string, Json>) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'parameters').map(([k, o]) => [k, o['x-kubernetes-action']]));
  assert.deepEqual(actions(coll), { get: 'list', post: 'post', delete: 'deletecollection' });
  assert.deepEqual(actions(item), { get: 'get', put: 'put', patch: 'patch', delete: 'delete' });
  assert.deepEqual(item.patch?.['x-kubernetes-group-version-kind'], gvk);
  assert.equal(item.patch?.operationId, 'patchAppsV1NamespacedDeployment');
  assert.ok((item.patch?.consumes as string[]).includes('application/strategic-merge-patch+json'));
  assert.ok((item.patch?.parameters as Json[]).some((p) => p.name === 'fieldValidation' && p.in === 'query'));
  assert.deepEqual((item.get?.responses as Record<string, Json>)['200'], { description: 'OK', schema: { $ref: '#/definitions/io.k8s.api.apps.v1.Deployment' } });
  const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'] as Record<string, Json>;
  assert.deepEqual(scale.get?.['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  assert.equal((doc.paths['/apis/apps/v1/watch/namespaces/{namespace}/deployments'] as Record<string, Json>).get?.['x-kubernetes-action'], 'watchlist');
  assert.equal((doc.paths['/api/v1/pods'] as Record<string, Json>).get?.operationId, 'listCoreV1PodForAllNamespaces');
  assert.ok(!doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/log'], 'non-JSON subresources are left out');
});

test('the document, JSON and encodings are built once', () => {
  assert.equal(openApiV2Document(builtinResources), rendered);
  assert.equal(openApiV2Protobuf(rendered), openApiV2Protobuf(rendered));
  assert.match(rendered.etag, /^[0-9A-F]{128}$/);
});

test('protobuf round-trips through openapi.v2.Document', () => {
  const type = openApiV2DocumentType();
  const bytes = openApiV2Protobuf(rendered);
  const decoded = type.toObject(type.decode(bytes)) as Json;
  assert.deepEqual(decoded, type.toObject(type.fromObject(documentMessage(doc))));
  assert.equal(decoded.swagger, '2.0');
  const named = (decoded.definitions as { additional_properties: Array<{ name: string; value: Json }> }).additional_properties;
  assert.equal(named.length, Object.keys(defs).length);
  const dep = named.find((d) => d.name === 'io.k8s.api.apps.v1.Deployment')?.value;
  assert.ok(dep);
  assert.deepEqual(dep.type, { value: ['object'] });
  const ext = (dep.vendor_extension as Array<{ name: string; value: { yaml: string } }>)[0];
  assert.equal(ext?.name, 'x-kubernetes-group-version-kind');
  assert.deepEqual(parse(ext!.value.yaml), [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  const paths = (decoded.paths as { path: Array<{ name: string; value: Json }> }).path;
  const item = paths.find((p) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}')?.value as Record<string, Json>;
  assert.ok(item?.patch);
  const gvkExt = (item.patch.vendor_extension as Array<{ name: string; value: { yaml: string } }>).find((e) => e.name === 'x-kubernetes-group-version-kind');
  assert.deepEqual(parse(gvkExt!.value.yaml), { group: 'apps', kind: 'Deployment', version: 'v1' });
  const params = item.patch.parameters as Array<{ parameter: Json }>;
  assert.ok(params.some((p) => (p.parameter.non_body_parameter as Json | undefined)?.query_parameter_sub_schema !== undefined));
  assert.ok(params.some((p) => p.parameter.body_parameter !== undefined));
});

test('negotiation follows kube-openapi: protobuf (both spellings), JSON, */*, else 406', () => {
  assert.equal(negotiateOpenApiV2('application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), 'protobuf');
  assert.equal(negotiateOpenApiV2('application/com.github.proto-openapi.spec.v2.v1.0+protobuf'), 'protobuf');
  assert.equal(negotiateOpenApiV2('application/json'), 'json');
  assert.equal(negotiateOpenApiV2(undefined), 'json');
  assert.equal(negotiateOpenApiV2('*/*'), 'json');
  assert.equal(negotiateOpenApiV2('application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), 'protobuf');
  assert.equal(negotiateOpenApiV2('*/*;q=0.8, application/com.github.proto-openapi.spec.v2.v1.0+protobuf'), 'protobuf');
  assert.equal(negotiateOpenApiV2('text/html'), undefined);
  assert.equal(negotiateOpenApiV2('application/json;q=0'), undefined);
});

test('If-None-Match matches the quoted ETag, a list, W/ or *', () => {
  const etag = `"${rendered.etag}"`;
  assert.ok(etagMatches(etag, etag));
  assert.ok(etagMatches(`"x", W/${etag}`, etag));
  assert.ok(etagMatches('*', etag));
  assert.ok(!etagMatches('"other"', etag));
  assert.ok(!etagMatches(undefined, etag));
});
