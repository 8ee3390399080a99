import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../status.ts';
import { serverSideApply, type ServerSideApplyArgs } from './apply.ts';
import { LAST_APPLIED_ANNOTATION } from './last-applied.ts';
import { updateManagedFields } from './managed-fields.ts';

const gvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
const t0 = new Date('2025-03-01T10:00:00.123Z');
const t1 = new Date('2025-03-01T11:00:00Z');

interface Container {
  name: string;
  image: string;
  [k: string]: unknown;
}
function deployment(opts: { replicas?: number; labels?: Record<string, string>; containers?: Container[] } = {}): KubeObject {
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: opts.containers ?? [{ name: 'nginx', image: 'nginx:1.27' }] },
    },
  };
  if (opts.replicas !== undefined) spec.replicas = opts.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', ...(opts.labels ? { labels: opts.labels } : {}) },
    spec,
  };
}

function apply(live: KubeObject | undefined, applied: KubeObject, over: Partial<ServerSideApplyArgs> = {}) {
  return serverSideApply({ live, applied, manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t0, gvk, ...over });
}

/** Stores the object as a registry would (uid, resourceVersion set). */
function stored(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, uid: 'u-1', resourceVersion: '7', creationTimestamp: '2025-03-01T10:00:00Z' } };
}

const spec = (o: KubeObject) => o.spec as Record<string, unknown> & { template: { spec: { containers: Container[] } } };
const entry = (fields: ManagedFieldsEntry[], manager: string, operation = 'Apply') =>
  fields.find((e) => e.manager === manager && e.operation === operation);
function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeysDeep((v as Record<string, unknown>)[k])]));
  }
  return v;
}
function conflictOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  assert.fail('expected a conflict');
}

describe('serverSideApply', () => {
  it('creates: the object is the applied config, owned by one Apply entry', () => {
    const r = apply(undefined, deployment({ replicas: 2 }));
    assert.equal(spec(r.object).replicas, 2);
    assert.equal(r.managedFields.length, 1);
    const e = r.managedFields[0]!;
    assert.deepEqual(
      { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, time: e.time, fieldsType: e.fieldsType },
      { manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2025-03-01T10:00:00Z', fieldsType: 'FieldsV1' },
    );
    assert.deepEqual(e.fieldsV1, {
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    });
    assert.deepEqual(r.object.metadata?.managedFields, r.managedFields);
  });

  it('re-applying the same config changes nothing (same object, same times)', () => {
    const live = stored(apply(undefined, deployment({ replicas: 2 })).object);
    const r = apply(live, deployment({ replicas: 2 }), { now: t1 });
    assert.equal(r.object, live);
    assert.deepEqual(r.managedFields, live.metadata?.managedFields);
  });

  it('a field the applier owned and no longer applies is removed', () => {
    const live = stored(apply(undefined, deployment({ replicas: 2, labels: { app: 'web', tier: 'fe' } })).object);
    const r = apply(live, deployment({ labels: { app: 'web' } }), { now: t1 });
    assert.equal(spec(r.object).replicas, undefined);
    assert.deepEqual(r.object.metadata?.labels, { app: 'web' });
    // Identity metadata survives pruning.
    assert.equal(r.object.metadata?.uid, 'u-1');
    assert.equal(r.managedFields[0]!.time, '2025-03-01T11:00:00Z');
    assert.ok(!JSON.stringify(r.managedFields).includes('f:replicas'));
  });

  it('removing the last owned label drops the emptied labels map', () => {
    const live = stored(apply(undefined, deployment({ labels: { tier: 'fe' } })).object);
    const r = apply(live, deployment());
    assert.equal(r.object.metadata?.labels, undefined);
  });

  it('two appliers setting the same value share it; it stays until both drop it', () => {
    const a = apply(undefined, deployment({ replicas: 3 }), { manager: 'a' });
    const b = apply(stored(a.object), deployment({ replicas: 3 }), { manager: 'b' });
    assert.ok(JSON.stringify(entry(b.managedFields, 'a')?.fieldsV1).includes('f:replicas'));
    assert.ok(JSON.stringify(entry(b.managedFields, 'b')?.fieldsV1).includes('f:replicas'));
    const a2 = apply(stored(b.object), deployment(), { manager: 'a' });
    assert.equal(spec(a2.object).replicas, 3, 'b still owns replicas');
    const b2 = apply(stored(a2.object), deployment(), { manager: 'b' });
    assert.equal(spec(b2.object).replicas, undefined, 'nobody owns it any more');
  });

  it('conflicts with an Update manager (kubectl scale), and force takes ownership', () => {
    const created = apply(undefined, deployment({ replicas: 2 }));
    const live = stored(created.object);
    const scaled = structuredClone(live);
    spec(scaled).replicas = 5;
    scaled.metadata!.managedFields = updateManagedFields({
      old: live,
      updated: scaled,
      manager: 'kubectl-scale',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: t1,
      gvk,
    });
    const err = conflictOf(() => apply(scaled, deployment({ replicas: 3 })));
    assert.equal(err.code, 409);
    assert.equal(err.reason, 'Conflict');
    assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas');
    assert.deepEqual(err.details?.causes, [
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-scale" using apps/v1', field: '.spec.replicas' },
    ]);
    assert.equal(err.toStatus().status, 'Failure');

    // Applying the value the other manager set is no conflict: the field is shared.
    const same = apply(scaled, deployment({ replicas: 5 }));
    assert.ok(entry(same.managedFields, 'kubectl-scale', 'Update'));

    const forced = apply(scaled, deployment({ replicas: 3 }), { force: true, now: t1 });
    assert.equal(spec(forced.object).replicas, 3);
    assert.equal(entry(forced.managedFields, 'kubectl-scale', 'Update'), undefined, 'emptied entry dropped');
    assert.ok(JSON.stringify(entry(forced.managedFields, 'kubectl')?.fieldsV1).includes('f:replicas'));
  });

  it('lists every conflict grouped by manager', () => {
    const a = apply(undefined, deployment({ replicas: 1, labels: { tier: 'x' } }), { manager: 'a' });
    const err = conflictOf(() => apply(stored(a.object), deployment({ replicas: 2, labels: { tier: 'y' } }), { manager: 'b' }));
    assert.equal(err.message, 'Apply failed with 2 conflicts: conflicts with "a":\n- .metadata.labels.tier\n- .spec.replicas');
    assert.deepEqual(
      err.details?.causes?.map((c) => c.field),
      ['.metadata.labels.tier', '.spec.replicas'],
    );
  });

  it('merges containers by name across two managers', () => {
    const a = apply(undefined, deployment({ containers: [{ name: 'app', image: 'app:1' }] }), { manager: 'a' });
    const b = apply(stored(a.object), deployment({ containers: [{ name: 'sidecar', image: 'proxy:1' }] }), { manager: 'b' });
    assert.deepEqual(spec(b.object).template.spec.containers.map((c) => c.name), ['app', 'sidecar']);
    const ownedBy = (m: string) => Object.keys((entry(b.managedFields, m)?.fieldsV1 as never)['f:spec']['f:template']['f:spec']['f:containers']);
    assert.deepEqual(ownedBy('a'), ['k:{"name":"app"}']);
    assert.deepEqual(ownedBy('b'), ['k:{"name":"sidecar"}']);

    // a changes its image: no conflict with b; b's container untouched.
    const a2 = apply(stored(b.object), deployment({ containers: [{ name: 'app', image: 'app:2' }] }), { manager: 'a' });
    assert.deepEqual(spec(a2.object).template.spec.containers, [
      { name: 'app', image: 'app:2' },
      { name: 'sidecar', image: 'proxy:1' },
    ]);
    // b touching a's image conflicts.
    const err = conflictOf(() => apply(stored(a2.object), deployment({ containers: [{ name: 'app', image: 'evil' }] }), { manager: 'b' }));
    assert.equal(err.details?.causes?.[0]?.field, '.spec.template.spec.containers[name="app"].image');
    // b stops applying its sidecar: it goes, a's container stays.
    const b2 = apply(stored(a2.object), deployment({ containers: [] }), { manager: 'b' });
    assert.deepEqual(spec(b2.object).template.spec.containers.map((c) => c.name), ['app']);
  });

  it('keys ports by containerPort and protocol, defaulting protocol to TCP', () => {
    const r = apply(undefined, deployment({ containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] }] }));
    const s = JSON.stringify(r.managedFields[0]!.fieldsV1);
    assert.ok(s.includes('k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}'));
    assert.ok(s.includes('k:{\\"containerPort\\":53,\\"protocol\\":\\"UDP\\"}'));
  });

  it('replaces atomic lists and unions sets', () => {
    const withArgs = (args: string[], finalizers: string[]) => {
      const d = deployment({ containers: [{ name: 'c', image: 'i', args }] });
      d.metadata!.finalizers = finalizers;
      return d;
    };
    const a = apply(undefined, withArgs(['x', 'y'], ['a/one']), { manager: 'a' });
    const b = apply(stored(a.object), withArgs(['x', 'y'], ['b/two']), { manager: 'b' });
    assert.deepEqual(b.object.metadata?.finalizers, ['a/one', 'b/two']);
    const a2 = apply(stored(b.object), withArgs(['z'], ['a/one']), { manager: 'a', force: true });
    assert.deepEqual(spec(a2.object).template.spec.containers[0]!.args, ['z']);
  });

  it('credits existing fields to before-first-apply when the object has no managedFields', () => {
    const live = stored(deployment({ replicas: 4 }));
    const err = conflictOf(() => apply(live, deployment({ replicas: 1 })));
    assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
    const ok = apply(live, deployment({ replicas: 4 }));
    assert.deepEqual(ok.managedFields.map((e) => e.manager), ['kubectl', 'before-first-apply']);
  });

  it('kubectl may take over client-side-applied fields still at their last-applied value', () => {
    const manifest = deployment({ replicas: 2 });
    const csa = structuredClone(manifest);
    csa.metadata!.annotations = { [LAST_APPLIED_ANNOTATION]: JSON.stringify(manifest) + '\n' };
    const created = stored(csa);
    created.metadata!.managedFields = updateManagedFields({
      old: undefined,
      updated: created,
      manager: 'kubectl-client-side-apply',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: t0,
      gvk,
    });
    // Another manager may not.
    assert.throws(() => apply(created, deployment({ replicas: 3 }), { manager: 'other' }), { code: 409 });
    const r = apply(created, deployment({ replicas: 3 }), { now: t1 });
    assert.equal(spec(r.object).replicas, 3);
    assert.equal(r.object.metadata?.annotations?.[LAST_APPLIED_ANNOTATION], JSON.stringify(sortKeysDeep(deployment({ replicas: 3 }))));
    const csaEntry = entry(r.managedFields, 'kubectl-client-side-apply', 'Update');
    assert.ok(csaEntry && !JSON.stringify(csaEntry.fieldsV1).includes('f:replicas'));

    // Once someone else changed the field, the annotation no longer vouches for it.
    const scaled = structuredClone(created);
    spec(scaled).replicas = 5;
    scaled.metadata!.managedFields = updateManagedFields({ old: created, updated: scaled, manager: 'kubectl-scale', operation: 'Update', apiVersion: 'apps/v1', now: t1, gvk });
    assert.throws(() => apply(scaled, deployment({ replicas: 3 })), { message: /conflict with "kubectl-scale"/ });
  });

  it('validates the applied body', () => {
    const bad = (applied: KubeObject, over: Partial<ServerSideApplyArgs> = {}) =>
      assert.throws(() => apply(undefined, applied, over), (e: unknown) => e instanceof StatusError && e.code === 400);
    bad({ ...deployment(), apiVersion: 'apps/v1beta1' });
    bad({ ...deployment(), kind: 'ReplicaSet' });
    bad(deployment(), { name: 'other' });
    bad({ ...deployment(), metadata: { name: 'web', managedFields: [] } });
    assert.throws(() => apply(undefined, { ...deployment(), apiVersion: 'v1' }), {
      message: 'Incorrect version specified in apply patch. Specified patch version: v1, expected: apps/v1',
    });
  });

  it('an unknown kind is merged with granular maps and atomic lists', () => {
    const crd = { group: 'example.com', version: 'v1', kind: 'Widget' };
    const w = (o: Record<string, unknown>): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: o });
    const opts = { gvk: crd, apiVersion: 'example.com/v1' };
    const a = apply(undefined, w({ size: 1, tags: ['x'] }), { ...opts, manager: 'a' });
    const b = apply(stored(a.object), w({ color: 'red', tags: ['x'] }), { ...opts, manager: 'b' });
    assert.deepEqual(b.object.spec, { size: 1, tags: ['x'], color: 'red' });
  });
});
