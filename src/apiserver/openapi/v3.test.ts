/** @module Tests for the OpenAPI v3 index and group-version documents, and the generated schemas. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { builtinResources } from '../../machinery/resources.ts';
import type { ResourceInfo } from '../../machinery/resources.ts';
import type { OpenApiSchema } from './schemas.ts';
import { componentSchemas, schemaNameForGvk } from './schemas.ts';
import { groupVersionPath, openApiV3Document, openApiV3GroupVersion, openApiV3Index } from './v3.ts';

interface Op {
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string };
  'x-kubernetes-action'?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, unknown> };
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, OpenApiSchema> };
}
interface Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

const doc = (gv: string): Doc => openApiV3GroupVersion(builtinResources, gv) as Doc;

test('index lists every served group version with a hashed serverRelativeURL', () => {
  const index = openApiV3Index(builtinResources) as Index;
  const gvs = [...new Set(builtinResources.map(groupVersionPath))];
  assert.deepEqual(Object.keys(index.paths).sort(), gvs.sort());
  assert.ok(index.paths['api/v1']);
  const url = index.paths['apis/apps/v1']!.serverRelativeURL;
  assert.match(url, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
  assert.equal(openApiV3Index(builtinResources), index, 'cached');
});

test('hashes are stable across tables and change with content', () => {
  const copy = builtinResources.map((r) => ({ ...r }));
  const a = openApiV3Document(builtinResources, 'apis/apps/v1')!;
  const b = openApiV3Document(copy, 'apis/apps/v1')!;
  assert.equal(a.hash, b.hash);
  assert.equal(a.json, JSON.stringify(a.doc));
  const fewer: ResourceInfo[] = copy.filter((r) => r.resource !== 'daemonsets');
  assert.notEqual(openApiV3Document(fewer, 'apis/apps/v1')!.hash, a.hash);
  assert.equal(openApiV3Document(builtinResources, '/apis/apps/v1/')!.hash, a.hash, 'slashes tolerated');
});

test('unknown group versions give undefined', () => {
  assert.equal(openApiV3GroupVersion(builtinResources, 'apis/nope/v1'), undefined);
  assert.equal(openApiV3GroupVersion(builtinResources, 'api/v2'), undefined);
});

test('Deployment paths: PATCH carries GVK, fieldValidation, and no strategic-merge-patch', () => {
  const d = doc('apis/apps/v1');
  assert.equal(d.openapi, '3.0.0');
  const item = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!;
  const patch = item.patch!;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.equal(patch['x-kubernetes-action'], 'patch');
  const names = patch.parameters!.filter((p) => p.in === 'query').map((p) => p.name);
  for (const n of ['fieldValidation', 'dryRun', 'fieldManager', 'force']) assert.ok(names.includes(n), n);
  assert.deepEqual(Object.keys(patch.requestBody!.content).sort(), [
    'application/apply-patch+yaml',
    'application/json-patch+json',
    'application/merge-patch+json',
  ]);
  for (const m of ['get', 'put', 'delete']) assert.ok(item[m]?.['x-kubernetes-group-version-kind'], m);
  const collection = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments']!;
  assert.equal(collection.get!['x-kubernetes-action'], 'list');
  assert.equal(collection.post!['x-kubernetes-action'], 'post');
  assert.ok(collection.post!.parameters!.some((p) => p.name === 'fieldValidation'));
  assert.ok(d.paths['/apis/apps/v1/deployments']!.get, 'all-namespaces list');
  const scale = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']!;
  assert.equal(scale.patch!['x-kubernetes-group-version-kind']!.kind, 'Scale');
});

test('every PATCH op in every document declares fieldValidation and never SMP', () => {
  for (const gv of Object.keys((openApiV3Index(builtinResources) as Index).paths)) {
    for (const [path, item] of Object.entries(doc(gv).paths)) {
      if (!item.patch) continue;
      assert.ok(item.patch.parameters!.some((p) => p.name === 'fieldValidation'), path);
      assert.ok(item.patch['x-kubernetes-group-version-kind'], path);
      assert.ok(!('application/strategic-merge-patch+json' in item.patch.requestBody!.content), path);
    }
  }
});

test('cluster-scoped and create-only resources get the right paths', () => {
  const core = doc('api/v1');
  assert.ok(core.paths['/api/v1/nodes/{name}']!.patch);
  assert.ok(core.paths['/api/v1/namespaces/{name}/finalize']!.put);
  assert.equal(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction']!.post!['x-kubernetes-group-version-kind']!.group, 'policy');
  const authz = doc('apis/authorization.k8s.io/v1');
  assert.ok(authz.paths['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews']!.post);
  assert.equal(authz.paths['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews/{name}'], undefined);
});

test('components hold the reachable schemas, with GVK arrays on kinds', () => {
  const d = doc('apis/apps/v1');
  const s = d.components.schemas;
  const dep = s['io.k8s.api.apps.v1.Deployment']!;
  assert.deepEqual(dep['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  for (const n of [
    'io.k8s.api.core.v1.PodSpec',
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    'io.k8s.apimachinery.pkg.api.resource.Quantity',
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
    'io.k8s.api.autoscaling.v1.Scale',
  ]) {
    assert.ok(s[n], n);
  }
  assert.equal(s['io.k8s.api.batch.v1.Job'], undefined, 'only what apps/v1 reaches');
  const refs = JSON.stringify(d).match(/#\/components\/schemas\/[^"]+/g) ?? [];
  for (const r of refs) assert.ok(s[r.slice('#/components/schemas/'.length)], `dangling ${r}`);
});

test('generated schemas: Deployment spec.strategy, formats, maps', () => {
  const all = componentSchemas();
  const spec = all['io.k8s.api.apps.v1.DeploymentSpec']!;
  const strategy = spec.properties!.strategy!;
  assert.match(strategy.description!, /deployment strategy to use to replace existing pods/);
  assert.deepEqual(strategy.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }]);
  assert.deepEqual(spec.required, ['selector', 'template']);
  assert.deepEqual(spec.properties!.replicas, {
    description: spec.properties!.replicas!.description,
    type: 'integer',
    format: 'int32',
  });
  const meta = all['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']!.properties!;
  assert.equal(meta.generation!.format, 'int64');
  assert.deepEqual(meta.labels!.additionalProperties, { type: 'string' });
  const rolling = all['io.k8s.api.apps.v1.RollingUpdateDeployment']!.properties!;
  assert.deepEqual(rolling.maxSurge!.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }]);
  assert.equal(all['io.k8s.apimachinery.pkg.util.intstr.IntOrString']!['x-kubernetes-int-or-string'], true);
  assert.equal(all['io.k8s.apimachinery.pkg.apis.meta.v1.Time']!.format, 'date-time');
  assert.equal(schemaNameForGvk({ group: '', version: 'v1', kind: 'Pod' }), 'io.k8s.api.core.v1.Pod');
  const containers = all['io.k8s.api.core.v1.PodSpec']!.properties!.containers!;
  assert.equal(containers.type, 'array');
  assert.deepEqual(containers.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
});

test('committed schemas.generated.json matches the generator', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/gen-openapi.ts', '--check'], { cwd: root, encoding: 'utf8' });
  assert.match(out, /up to date/);
});
