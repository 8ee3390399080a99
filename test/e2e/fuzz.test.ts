/**
 * Bad input: thousands of malformed requests (garbage bodies, wrong kinds, bad names, broken
 * patches, bad query parameters, oversize bodies) against a real server. Every answer must be a
 * well-formed response (a Status for errors), the server must stay ready, and every object left
 * in the store must be whole and valid.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { allStrategies } from '../../src/apiserver/registry/index.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

/** Small deterministic PRNG so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seed = Number(process.env.FUZZ_SEED ?? 20261122);
const count = Number(process.env.FUZZ_REQUESTS ?? 3000);

describe('bad input', () => {
  let c: TestCluster;
  let agent: Agent;
  before(async () => {
    c = await startCluster({ datastore: 'memory' });
    agent = new Agent({ ca: c.server.pki.ca.cert, cert: c.server.pki.admin.cert, key: c.server.pki.admin.key, keepAlive: true, maxSockets: 16 });
  });
  after(async () => {
    agent?.destroy();
    await c?.stop();
  });

  function send(method: string, path: string, body: Buffer | undefined, contentType: string | undefined): Promise<{ status: number; body: string; type: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {};
      if (contentType) headers['content-type'] = contentType;
      if (body) headers['content-length'] = body.length;
      const req = request(`${c.server.url}${path}`, { method, agent, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, type: String(res.headers['content-type'] ?? '') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it(`survives ${count} malformed requests (seed ${seed})`, async () => {
    const r = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const paths = [
      '/api/v1/namespaces/default/configmaps',
      '/api/v1/namespaces/default/configmaps/fz',
      '/api/v1/namespaces/default/pods',
      '/api/v1/namespaces/default/pods/fz',
      '/api/v1/namespaces/default/services',
      '/apis/apps/v1/namespaces/default/deployments',
      '/apis/apps/v1/namespaces/default/deployments/fz',
      '/apis/apps/v1/namespaces/default/deployments/fz/scale',
      '/apis/apps/v1/namespaces/default/deployments/fz/status',
      '/api/v1/namespaces',
      '/api/v1/namespaces/fz',
      '/api/v1/nodes/fz',
      '/apis/batch/v1/namespaces/default/jobs',
      '/api/v1/namespaces/nowhere/configmaps',
      '/apis/nope/v1/things',
      '/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(',
      '/api/v1/namespaces/default/configmaps?fieldSelector=spec.bogus%3Dx',
      '/api/v1/namespaces/default/configmaps?limit=-1',
      '/api/v1/namespaces/default/configmaps?continue=garbage',
      '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=abc',
      '/api/v1/namespaces/default/configmaps?dryRun=Sometimes',
      '/api/v1/namespaces/default/configmaps?fieldValidation=Loose',
      '/api/v1/namespaces/default/pods/fz/eviction',
      '/api/v1/namespaces/default/pods/fz/binding',
      '/api/v1/namespaces/%ZZ/configmaps',
    ];
    const goodCm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fz' }, data: { a: 'b' } };
    const bodies: (() => Buffer)[] = [
      () => Buffer.from('{'),
      () => Buffer.from('null'),
      () => Buffer.from('[]'),
      () => Buffer.from('"just a string"'),
      () => Buffer.from(JSON.stringify({ ...goodCm, kind: 'Pod' })),
      () => Buffer.from(JSON.stringify({ ...goodCm, apiVersion: 'v2' })),
      () => Buffer.from(JSON.stringify({ ...goodCm, metadata: { name: 'UPPER_case' } })),
      () => Buffer.from(JSON.stringify({ ...goodCm, metadata: { name: 'x'.repeat(300) } })),
      () => Buffer.from(JSON.stringify({ ...goodCm, metadata: { name: 'fz', labels: { 'bad key!': 'v' } } })),
      () => Buffer.from(JSON.stringify({ ...goodCm, metadata: { name: 'fz', resourceVersion: '1' } })),
      () => Buffer.from(JSON.stringify({ ...goodCm, data: { 'bad key/': 1 } })),
      () => Buffer.from(JSON.stringify({ ...goodCm, metadata: 'not-an-object' })),
      () => Buffer.from(JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fz' }, spec: { replicas: -3, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'c' } }, spec: { containers: [] } } } })),
      () => Buffer.from(JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fz' }, spec: 'nope' })),
      () => Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fz' }, spec: { containers: [{ name: 'c' }] } })),
      () => Buffer.from(JSON.stringify([{ op: 'replace', path: '/nope/deeper', value: 1 }])),
      () => Buffer.from(JSON.stringify([{ op: 'explode' }])),
      () => Buffer.from(JSON.stringify({ spec: { replicas: 'many' } })),
      () => Buffer.from(JSON.stringify({ metadata: { $patch: 'bogus' } })),
      () => Buffer.from(JSON.stringify({ spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } })),
      () => Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), Buffer.from(Array.from({ length: 64 }, () => Math.floor(r() * 256)))]),
      () => Buffer.from(Array.from({ length: 200 }, () => Math.floor(r() * 256))),
      () => Buffer.from('a: [unclosed\n  - {'),
      () => Buffer.from('x'.repeat(3 * 1024 * 1024 + 10)),
      () => Buffer.from('['.repeat(20000) + ']'.repeat(20000)),
      () => Buffer.from(JSON.stringify(goodCm)),
    ];
    const types = [undefined, 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/merge-patch+json',
      'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'text/html', 'application/json; charset=utf-8'];
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'POST', 'PUT', 'PATCH'];
    const statuses = new Map<number, number>();
    const batch = 16;
    for (let i = 0; i < count; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, count - i) }, async () => {
          const method = pick(methods);
          let path = pick(paths);
          if (method === 'PATCH' && r() < 0.3) path += (path.includes('?') ? '&' : '?') + 'fieldManager=fuzz';
          const body = method === 'GET' ? undefined : pick(bodies)();
          const res = await send(method, path, body, pick(types));
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          assert.ok(res.status >= 200 && res.status < 600, `status ${res.status}`);
          assert.notEqual(res.status, 500, `internal error for ${method} ${path}: ${res.body.slice(0, 300)}`);
          if (res.status >= 400 && !path.includes('watch=true')) {
            const status = JSON.parse(res.body) as { kind?: string; code?: number; reason?: string };
            assert.equal(status.kind, 'Status', `${method} ${path} → ${res.body.slice(0, 200)}`);
            assert.equal(status.code, res.status);
            assert.ok(status.reason, 'Status has a reason');
          }
        }),
      );
    }
    const ready = await send('GET', '/readyz', undefined, undefined);
    assert.equal(ready.status, 200);
    // Every object that made it into the store is whole and valid.
    for (const strategy of allStrategies) {
      const store = c.server.api.store(strategy.info.group, strategy.info.version, strategy.info.resource);
      if (!store || strategy.storage) continue;
      const list = await store.deps.backend.list(store.codec.prefix());
      for (const kv of list.kvs) {
        const obj = store.codec.decode(kv);
        assert.ok(obj.metadata.name && obj.metadata.uid && obj.metadata.creationTimestamp, `whole metadata in ${kv.key}`);
        assert.deepEqual(strategy.validate(obj), [], `stored ${kv.key} is valid`);
      }
    }
    process.stdout.write(`# fuzz statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}\n`);
  });
});
