import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { FieldSet } from './fieldset.ts';
import { defaultManager, updateManagedFields, type UpdateManagedFieldsArgs } from './managed-fields.ts';
import { MAX_UPDATE_MANAGERS } from './managers.ts';

const gvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
const t0 = new Date('2025-03-01T10:00:00.999Z');
const t1 = new Date('2025-03-01T12:30:00Z');

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: 'u', resourceVersion: '1', labels: { app: 'web' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {} }] },
    },
  },
  status: {},
});

function update(old: KubeObject | undefined, updated: KubeObject, over: Partial<UpdateManagedFieldsArgs> = {}): KubeObject {
  const managedFields = updateManagedFields({ old, updated, manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', now: t0, gvk, ...over });
  return { ...updated, metadata: { ...updated.metadata, managedFields } };
}
const mf = (o: KubeObject): ManagedFieldsEntry[] => o.metadata?.managedFields ?? [];
const specOf = (o: KubeObject) => o.spec as { replicas: number; template: { spec: { containers: { image: string }[] } } };

describe('updateManagedFields', () => {
  it('on create, the writer owns every field it set, in upstream shape', () => {
    const created = update(undefined, deployment(), { ignored: FieldSet.of(['f:status']) });
    assert.deepEqual(mf(created), [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: '2025-03-01T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:strategy': { 'f:rollingUpdate': { 'f:maxSurge': {} }, 'f:type': {} },
            'f:template': {
              'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"nginx"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
                    'f:resources': {},
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('moves changed fields to the writer; other entries shrink and empty ones go', () => {
    const created = update(undefined, deployment());
    const next = structuredClone(created);
    specOf(next).replicas = 3;
    const scaled = update(created, next, { manager: 'kubectl-scale', subresource: 'scale', now: t1 });
    const scale = mf(scaled).find((e) => e.manager === 'kubectl-scale')!;
    assert.deepEqual(scale.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.equal(scale.subresource, 'scale');
    assert.equal(scale.time, '2025-03-01T12:30:00Z');
    assert.ok(!JSON.stringify(mf(scaled).find((e) => e.manager === 'kubectl-create')).includes('f:replicas'));
    // Upstream order: by operation, then time.
    assert.deepEqual(mf(scaled).map((e) => e.manager), ['kubectl-create', 'kubectl-scale']);

    // The same manager writing again accumulates; the creator's untouched entry is reused verbatim.
    const again = structuredClone(scaled);
    specOf(again).template.spec.containers[0]!.image = 'nginx:2';
    const set = update(scaled, again, { manager: 'kubectl-scale', subresource: 'scale', now: t1 });
    const grown = JSON.stringify(mf(set).find((e) => e.manager === 'kubectl-scale')!.fieldsV1);
    assert.ok(grown.includes('f:replicas') && grown.includes('f:image'));

    // Taking a manager's only field away drops its entry.
    const base = deployment();
    const byA = structuredClone(base);
    specOf(byA).replicas = 2;
    const a = update(base, byA, { manager: 'a' });
    assert.deepEqual(mf(a).map((e) => e.manager), ['a']);
    const byB = structuredClone(a);
    specOf(byB).replicas = 3;
    assert.deepEqual(mf(update(a, byB, { manager: 'b' })).map((e) => e.manager), ['b']);
  });

  it('a write that changes nothing leaves managedFields alone', () => {
    const created = update(undefined, deployment());
    const same = update(created, structuredClone(created), { manager: 'someone', now: t1 });
    assert.deepEqual(mf(same), mf(created));
  });

  it('removing a field takes it from its owner', () => {
    const created = update(undefined, deployment());
    const next = structuredClone(created);
    delete (next.metadata as { labels?: unknown }).labels;
    const after = update(created, next, { manager: 'kubectl-edit' });
    const creator = mf(after).find((e) => e.manager === 'kubectl-create')!;
    assert.equal((creator.fieldsV1 as Record<string, unknown>)['f:metadata'], undefined);
    assert.ok(!mf(after).some((e) => e.manager === 'kubectl-edit'), 'a pure removal owns nothing');
  });

  it('honours client-sent managedFields and the [{}] reset', () => {
    const created = update(undefined, deployment());
    const reset = structuredClone(created);
    reset.metadata!.managedFields = [{}];
    assert.deepEqual(updateManagedFields({ old: created, updated: reset, manager: 'x', operation: 'Update', apiVersion: 'apps/v1', now: t1, gvk }), []);
    const replaced = structuredClone(created);
    replaced.metadata!.managedFields = [
      { manager: 'imported', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
    ];
    const out = updateManagedFields({ old: created, updated: replaced, manager: 'x', operation: 'Update', apiVersion: 'apps/v1', now: t1, gvk });
    assert.deepEqual(out.map((e) => e.manager), ['imported']);
  });

  it('caps Update entries, folding the oldest into ancient-changes', () => {
    let obj = update(undefined, deployment(), { manager: 'm0', now: new Date(0) });
    for (let i = 1; i <= MAX_UPDATE_MANAGERS + 2; i++) {
      const next = structuredClone(obj);
      next.metadata!.annotations = { ...next.metadata!.annotations, [`k${i}`]: 'v' };
      obj = update(obj, next, { manager: `m${i}`, now: new Date(i * 1000) });
    }
    const managers = mf(obj).map((e) => e.manager);
    assert.equal(managers.length, MAX_UPDATE_MANAGERS);
    assert.ok(managers.includes('ancient-changes'));
    assert.ok(!managers.includes('m0'));
  });
});

describe('defaultManager', () => {
  it('takes the User-Agent up to the first slash', () => {
    assert.equal(defaultManager('kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07'), 'kubectl');
    assert.equal(defaultManager('kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/abc/system:serviceaccount:kube-system:deployment-controller'), 'kube-controller-manager');
    assert.equal(defaultManager('node-fetch'), 'node-fetch');
    assert.equal(defaultManager('a\u0000b\tc d/1'), 'abc d');
    assert.equal(defaultManager(undefined), '');
    assert.equal(defaultManager('x'.repeat(200)).length, 128);
  });
});
