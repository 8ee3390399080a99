/**
 * The generic registry through the real request pipeline (in-process transport, memory store)
 * with a small test strategy: CRUD, conflicts, generateName, dry-run, selectors, paging, watch
 * resume, finalizers and the 410 after compaction.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { ageColumn, ageOf, nameColumn } from '../../src/apiserver/registry/printing.ts';
import type { Strategy } from '../../src/apiserver/registry/strategy.ts';
import type { ApiServer } from '../../src/apiserver/server.ts';
import type { ApiRequest } from '../../src/apiserver/types.ts';
import type { Client } from '../../src/client/rest.ts';
import { findResource, builtinResources } from '../../src/machinery/resources.ts';
import { isConflict, isExpired, isInvalid, isNotFound, isAlreadyExists, StatusError } from '../../src/machinery/status.ts';
import { MemoryBackend } from '../../src/storage/drivers/memory.ts';
import { startInProcessApi, type InProcessApi } from '../support/in-process-api.ts';

const namespaces: Strategy = {
  info: findResource(builtinResources, '', 'v1', 'namespaces')!,
  nameRule: 'dns1123-label',
  prepareForCreate: (o) => {
    o.status = { phase: 'Active' };
    o.spec = { finalizers: ['kubernetes'] };
  },
  validate: () => [],
  table: { columns: [nameColumn, ageColumn], cells: (o, now) => [o.metadata?.name ?? '', ageOf(o, now)] },
};
const configmaps: Strategy = {
  info: findResource(builtinResources, '', 'v1', 'configmaps')!,
  validate: (o) => (typeof (o.data as Record<string, unknown> | undefined)?.bad === 'string' ? [{ type: 'FieldValueInvalid', field: 'data.bad', value: 'x', detail: 'nope' }] : []),
  table: { columns: [nameColumn, ageColumn], cells: (o, now) => [o.metadata?.name ?? '', ageOf(o, now)] },
};

describe('generic registry', () => {
  const backend = new MemoryBackend();
  let server: InProcessApi;
  let api: ApiServer;
  let client: Client;
  const cms = () => client.resource<KubeObject & { data?: Record<string, string> }>({ group: '', version: 'v1', resource: 'configmaps', namespaced: true });

  before(async () => {
    server = await startInProcessApi({
      backend,
      // A tiny cache, so old watches fall through to storage and meet compaction.
      server: { strategies: [namespaces, configmaps], watchCacheCapacity: 8 },
    });
    ({ api, client } = server);
  });
  after(() => server.stop());

  it('creates, reads, updates with conflicts, and deletes', async () => {
    const created = await cms().create({ metadata: { name: 'a', namespace: 'default' }, data: { k: 'v' } });
    assert.ok(created.metadata?.uid);
    assert.ok(created.metadata?.resourceVersion);
    assert.equal(created.kind, 'ConfigMap');
    await assert.rejects(cms().create({ metadata: { name: 'a', namespace: 'default' } }), isAlreadyExists);
    const updated = await cms().update({ ...created, data: { k: 'v2' } });
    assert.notEqual(updated.metadata?.resourceVersion, created.metadata?.resourceVersion);
    await assert.rejects(cms().update({ ...created, data: { k: 'stale' } }), isConflict);
    const same = await cms().update({ ...updated });
    assert.equal(same.metadata?.resourceVersion, updated.metadata?.resourceVersion, 'no-op update is not written');
    await cms().delete('a', { namespace: 'default' });
    await assert.rejects(cms().get('a', 'default'), isNotFound);
  });

  it('validates, generates names and honours dry-run', async () => {
    await assert.rejects(cms().create({ metadata: { name: 'b', namespace: 'default' }, data: { bad: 'x' } }), isInvalid);
    await assert.rejects(cms().create({ metadata: { name: 'Bad', namespace: 'default' } }), isInvalid);
    await assert.rejects(cms().create({ metadata: { name: 'x', namespace: 'missing' } }), (e) => isNotFound(e) && /namespaces "missing" not found/.test((e as Error).message));
    const gen = await cms().create({ metadata: { generateName: 'gen-', namespace: 'default' } });
    assert.match(gen.metadata!.name!, /^gen-[a-z0-9]{5}$/);
    const dry = await client.call<KubeObject>('POST', '/api/v1/namespaces/default/configmaps', new URLSearchParams('dryRun=All'), { metadata: { name: 'dry' } });
    assert.equal(dry.metadata?.name, 'dry');
    await assert.rejects(cms().get('dry', 'default'), isNotFound);
  });

  it('filters by labels and fields and pages with continue', async () => {
    for (let i = 0; i < 25; i++)
      await cms().create({ metadata: { name: `p-${String(i).padStart(2, '0')}`, namespace: 'default', labels: { parity: i % 2 ? 'odd' : 'even' } } });
    const odd = await cms().list({ namespace: 'default', labelSelector: 'parity=odd' });
    assert.equal(odd.items.length, 12);
    const one = await cms().list({ namespace: 'default', fieldSelector: 'metadata.name=p-03' });
    assert.deepEqual(one.items.map((i) => i.metadata?.name), ['p-03']);
    await assert.rejects(cms().list({ namespace: 'default', fieldSelector: 'spec.x=1' }), (e) => e instanceof StatusError && e.code === 400);
    const names: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await cms().list({ namespace: 'default', labelSelector: 'parity', limit: 10, continue: cont });
      names.push(...page.items.map((i) => i.metadata!.name!));
      cont = page.metadata.continue;
      pages++;
    } while (cont);
    assert.equal(names.length, 25);
    assert.equal(pages, 3);
  });

  it('watches from a resourceVersion and from now with initial ADDED events', async () => {
    const list = await cms().list({ namespace: 'default' });
    const ctl = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const ev of cms().watch({ namespace: 'default', resourceVersion: list.metadata.resourceVersion, signal: ctl.signal })) {
        seen.push(`${ev.type}:${ev.object.metadata?.name}`);
        if (seen.length === 3) ctl.abort();
      }
    })().catch((e) => {
      if (!ctl.signal.aborted) throw e;
    });
    await cms().create({ metadata: { name: 'w1', namespace: 'default' } });
    await cms().patch('w1', 'merge', { data: { a: 'b' } }, { namespace: 'default' });
    await cms().delete('w1', { namespace: 'default' });
    await done;
    assert.deepEqual(seen, ['ADDED:w1', 'MODIFIED:w1', 'DELETED:w1']);

    const ctl2 = new AbortController();
    const initial: string[] = [];
    for await (const ev of cms().watch({ namespace: 'default', fieldSelector: 'metadata.name=p-00', resourceVersion: '0', signal: ctl2.signal })) {
      initial.push(`${ev.type}:${ev.object.metadata?.name}`);
      ctl2.abort();
    }
    assert.deepEqual(initial, ['ADDED:p-00']);
  });

  it('holds objects with finalizers until the last one is removed', async () => {
    const held = await cms().create({ metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/x'] } });
    const marked = (await cms().delete('held', { namespace: 'default' })) as KubeObject;
    assert.ok(marked.metadata?.deletionTimestamp);
    const still = await cms().get('held', 'default');
    assert.ok(still.metadata?.deletionTimestamp);
    await cms().patch('held', 'merge', { metadata: { finalizers: null } }, { namespace: 'default' });
    await assert.rejects(cms().get('held', 'default'), isNotFound);
    assert.ok(held);
  });

  it('applies fieldValidation to unknown and duplicate fields', async () => {
    const post = (body: string, validation: string) =>
      api.handle({
        method: 'POST',
        path: '/api/v1/namespaces/default/configmaps',
        query: new URLSearchParams(`fieldValidation=${validation}`),
        headers: { 'content-type': 'application/json' },
        body: new TextEncoder().encode(body),
        signal: new AbortController().signal,
        peer: { kind: 'in-process', user: { username: 'test', groups: [] } },
      } as ApiRequest);
    const strict = await post('{"metadata":{"name":"fv1"},"data":{"a":"1"},"data":{"a":"2"},"bogus":1}', 'Strict');
    assert.equal(strict.status, 400);
    const text = new TextDecoder().decode(strict.body as Uint8Array);
    assert.match(text, /unknown field \\"bogus\\"/);
    assert.match(text, /duplicate field \\"data\\"/);
    const warn = await post('{"metadata":{"name":"fv2"},"bogus":1}', 'Warn');
    assert.equal(warn.status, 201);
    assert.match(warn.headers.warning ?? '', /299 - "unknown field \\"bogus\\""/);
    const ignore = await post('{"metadata":{"name":"fv3"},"bogus":1}', 'Ignore');
    assert.equal(ignore.status, 201);
    const stored = await cms().get('fv3', 'default');
    assert.equal(stored.bogus, undefined, 'unknown fields are not stored');
    const typed = await post('{"metadata":"nope"}', 'Ignore');
    assert.equal(typed.status, 400);
  });

  it('answers 410 Expired for a watch from a compacted revision', async () => {
    await cms().create({ metadata: { name: 'c1', namespace: 'default' } });
    const rev = await backend.currentRevision();
    for (let i = 0; i < 3; i++) await cms().patch('c1', 'merge', { data: { i: String(i) } }, { namespace: 'default' });
    await backend.compact(await backend.currentRevision());
    // Older than the cache floor: storage answers, and that history is compacted.
    const ctl = new AbortController();
    await assert.rejects(
      (async () => {
        for await (const _ of cms().watch({ namespace: 'default', resourceVersion: '1', signal: ctl.signal })) void _;
      })(),
      isExpired,
    );
    assert.ok(rev > 1);
  });
});
