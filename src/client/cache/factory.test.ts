/**
 * The informer factory against an in-process API server: metadata informers keep only
 * apiVersion, kind and metadata (without managedFields and annotations) through lists, watch
 * events and deletes; a whole-object request before start shares the informer and keeps whole
 * objects; one after start gets an informer of its own.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { realClock } from '../../util/clock.ts';
import { silentLogger } from '../../util/log.ts';
import { startInProcessApi, type InProcessApi } from '../../../test/support/in-process-api.ts';
import { eventually } from '../../../test/support/kubectl.ts';
import { refs } from '../refs.ts';
import type { Client } from '../rest.ts';
import { withoutManagedFields } from '../../api/object.ts';
import { InformerFactory, metadataOnly } from './factory.ts';
import { managedFieldsTracker } from '../../cmd/server/managed-fields.ts';

type CM = ConfigMap & KubeObject;

describe('InformerFactory metadata informers', () => {
  let server: InProcessApi;
  let client: Client;
  const cms = () => client.resource<CM>(refs.configmaps);
  const cm = (ns: string, name: string, v: string): CM => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, labels: { app: 'x' }, annotations: { big: 'y'.repeat(1000) }, ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u1' }] },
    data: { v },
  });
  const newFactory = () => new InformerFactory(client, { clock: realClock, logger: silentLogger });

  before(async () => {
    server = await startInProcessApi({ namespaces: ['meta1', 'meta2', 'meta3', 'mf1'], server: { trackManagedFields: managedFieldsTracker } });
    client = server.client;
  });
  after(() => server.stop());

  it('metadataOnly keeps apiVersion, kind and metadata minus managedFields and annotations', () => {
    const obj = { ...cm('a', 'b', '1'), metadata: { ...cm('a', 'b', '1').metadata, managedFields: [{ manager: 'm' }] } } as CM;
    const m = metadataOnly(obj);
    assert.deepEqual(Object.keys(m).sort(), ['apiVersion', 'kind', 'metadata']);
    assert.equal(m.metadata?.managedFields, undefined);
    assert.equal(m.metadata?.annotations, undefined);
    assert.deepEqual(m.metadata?.ownerReferences, obj.metadata?.ownerReferences);
    assert.deepEqual(m.metadata?.labels, { app: 'x' });
    assert.ok(obj.metadata?.annotations && obj.metadata.managedFields, 'the input is left alone');
  });

  it('stores and delivers metadata only, on list, watch and delete', async () => {
    await cms().create(cm('meta1', 'listed', '1'));
    const f = newFactory();
    const inf = f.metadataInformerFor(refs.configmaps, { namespace: 'meta1' });
    assert.equal(f.metadataInformerFor(refs.configmaps, { namespace: 'meta1' }), inf, 'shared');
    const seen: KubeObject[] = [];
    inf.addEventHandler({ onAdd: (o) => seen.push(o), onUpdate: (_, o) => seen.push(o), onDelete: (o) => seen.push(o) });
    const ctl = new AbortController();
    f.start(ctl.signal);
    await f.waitForSync();
    await cms().create(cm('meta1', 'watched', '1'));
    const w = await cms().get('watched', 'meta1');
    await cms().update({ ...w, data: { v: '2' } });
    await cms().delete('listed', { namespace: 'meta1' });
    await eventually(() => seen.length === 4, 5000, 'add, add, update, delete');
    for (const o of [...seen, ...inf.store.list()]) {
      assert.equal(o.data, undefined, 'no data');
      assert.equal(o.metadata?.annotations, undefined, 'no annotations');
      assert.equal(o.metadata?.managedFields, undefined, 'no managedFields');
      assert.equal(o.metadata?.ownerReferences?.[0]?.uid, 'u1');
      assert.ok(o.metadata?.uid && o.metadata.resourceVersion);
    }
    assert.deepEqual(seen.map((o) => o.metadata?.name), ['listed', 'watched', 'watched', 'listed']);
    assert.deepEqual(inf.store.keys(), ['meta1/watched']);
    ctl.abort();
    await f.stopped();
  });

  it('shares one whole-object informer when whole objects are asked for before start', async () => {
    await cms().create(cm('meta2', 'a', '1'));
    const f = newFactory();
    const meta = f.metadataInformerFor(refs.configmaps, { namespace: 'meta2' });
    const whole = f.informerFor<CM>(refs.configmaps, { namespace: 'meta2' });
    assert.equal(whole as unknown, meta, 'one informer');
    assert.equal(f.metadataInformerFor(refs.configmaps, { namespace: 'meta2' }), meta);
    assert.equal(meta.transformed, false);
    const ctl = new AbortController();
    f.start(ctl.signal);
    await f.waitForSync();
    assert.equal(whole.store.getByName('meta2', 'a')?.data?.v, '1');
    ctl.abort();
    await f.stopped();
  });

  it('gives a whole-object request after start its own informer', async () => {
    await cms().create(cm('meta3', 'a', '1'));
    const f = newFactory();
    const meta = f.metadataInformerFor(refs.configmaps, { namespace: 'meta3' });
    const ctl = new AbortController();
    f.start(ctl.signal);
    await f.waitForSync();
    const whole = f.informerFor<CM>(refs.configmaps, { namespace: 'meta3' });
    assert.notEqual(whole as unknown, meta);
    assert.equal(f.informerFor<CM>(refs.configmaps, { namespace: 'meta3' }), whole, 'and shares it afterwards');
    await whole.synced;
    assert.equal(whole.store.getByName('meta3', 'a')?.data?.v, '1');
    assert.equal(meta.store.getByName('meta3', 'a')?.data, undefined);
    ctl.abort();
    await f.stopped();
  });

  it('whole-object informers drop managedFields unless the factory keeps them; updates keep the stored ones', async () => {
    await cms().create(cm('mf1', 'a', '1'));
    const stored = await cms().get('a', 'mf1');
    assert.ok(stored.metadata?.managedFields?.length, 'the server tracks managedFields');
    assert.equal(withoutManagedFields(stored).metadata?.managedFields, undefined);
    assert.ok(stored.metadata.managedFields, 'the input is left alone');
    const ctl = new AbortController();
    const stripped = newFactory().informerFor<CM>(refs.configmaps, { namespace: 'mf1' });
    const kept = new InformerFactory(client, { clock: realClock, logger: silentLogger, keepManagedFields: true }).informerFor<CM>(refs.configmaps, { namespace: 'mf1' });
    const seen: CM[] = [];
    stripped.addEventHandler({ onAdd: (o) => seen.push(o), onUpdate: (_, o) => seen.push(o) });
    void stripped.run(ctl.signal);
    void kept.run(ctl.signal);
    await Promise.all([stripped.synced, kept.synced]);
    const cached = stripped.store.getByName('mf1', 'a')!;
    assert.equal(cached.metadata?.managedFields, undefined);
    assert.ok(kept.store.getByName('mf1', 'a')?.metadata?.managedFields?.length);
    // Written back from the cache: an unchanged object is a no-op, a change keeps the old entries.
    const same = await cms().update(cached);
    assert.equal(same.metadata?.resourceVersion, stored.metadata.resourceVersion);
    const changed = await cms().update({ ...cached, data: { v: '2' } });
    assert.notEqual(changed.metadata?.resourceVersion, stored.metadata.resourceVersion);
    assert.ok((changed.metadata?.managedFields?.length ?? 0) >= stored.metadata.managedFields.length);
    await eventually(() => stripped.store.getByName('mf1', 'a')?.data?.v === '2', 5000, 'the update reaches the cache');
    for (const o of [...seen, ...stripped.store.list()]) assert.equal(o.metadata?.managedFields, undefined);
    assert.equal(seen.length, 2);
    ctl.abort();
  });
});
