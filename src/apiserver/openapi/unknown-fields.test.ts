/** @module Tests for server-side unknown-field detection and its upstream messages. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { typeError } from './type-errors.ts';
import { cannotBeHandledMessage, isClean, pruneUnknownFields, strictDecodingError, unknownFieldMessage, unknownFields } from './unknown-fields.ts';

const deployGvk = { group: 'apps', version: 'v1', kind: 'Deployment' };

function deployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      labels: { app: 'web', 'app.kubernetes.io/part-of': 'shop' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      creationTimestamp: null,
      managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }],
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx:1.27',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
              resources: { limits: { cpu: '500m', memory: 128974848 }, requests: { 'nvidia.com/gpu': '1' } },
              readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
            },
          ],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          volumes: [{ name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'a', path: 'a' }] } }],
        },
      },
    },
    status: { replicas: 3, conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2024-01-01T00:00:00Z' }] },
  };
}

test('a valid, realistic Deployment has no unknown fields', () => {
  assert.deepEqual(unknownFields(deployment(), deployGvk), []);
});

test('typos are reported with upstream paths, in document order', () => {
  const d = deployment();
  const spec = d.spec as Record<string, unknown>;
  spec.foo = 1;
  const podSpec = (spec.template as { spec: { containers: Record<string, unknown>[] } }).spec;
  podSpec.containers[0]!.imagee = 'x';
  (spec.strategy as { rollingUpdate: Record<string, unknown> }).rollingUpdate.maxUnaivailable = 1;
  (d.metadata as Record<string, unknown>).app = 'web';
  assert.deepEqual(unknownFields(d, deployGvk), [
    'metadata.app',
    'spec.strategy.rollingUpdate.maxUnaivailable',
    'spec.template.spec.containers[0].imagee',
    'spec.foo',
  ]);
});

test('second list item and nested map values get indexes and dotted keys', () => {
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 81, nodeport: 3 }], selector: { app: 'x' } },
  };
  assert.deepEqual(unknownFields(svc, { group: '', version: 'v1', kind: 'Service' }), ['spec.ports[1].nodeport']);
});

test('maps allow any key: ConfigMap data, Secret stringData, labels', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'any.key': 'v', 'other-key': 'w' }, binaryData: { b: 'AA==' } };
  assert.deepEqual(unknownFields(cm, { group: '', version: 'v1', kind: 'ConfigMap' }), []);
  const cmBad = { ...cm, datas: {} };
  assert.deepEqual(unknownFields(cmBad, { group: '', version: 'v1', kind: 'ConfigMap' }), ['datas']);
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'x' }, type: 'Opaque' };
  assert.deepEqual(unknownFields(secret, { group: '', version: 'v1', kind: 'Secret' }), []);
});

test('arbitrary JSON (RawExtension) is accepted as is', () => {
  const rev = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1, data: { spec: { anything: [1, { deep: true }] } } };
  assert.deepEqual(unknownFields(rev, { group: 'apps', version: 'v1', kind: 'ControllerRevision' }), []);
});

test('unknown GVK and non-object input give []', () => {
  assert.deepEqual(unknownFields({ spec: { x: 1 } }, { group: 'example.com', version: 'v1', kind: 'Widget' }), []);
  assert.deepEqual(unknownFields('nope', deployGvk), []);
  assert.deepEqual(unknownFields({ apiVersion: 'apps/v1', kind: 'Deployment', spec: null }, deployGvk), []);
});

test('messages match upstream', () => {
  assert.equal(unknownFieldMessage('spec.foo'), 'unknown field "spec.foo"');
  assert.equal(strictDecodingError(['spec.foo', 'spec.bar']), 'strict decoding error: unknown field "spec.foo", unknown field "spec.bar"');
  assert.equal(
    cannotBeHandledMessage(deployGvk, ['spec.foo']),
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"',
  );
  assert.equal(unknownFieldMessage('a"b\n'), 'unknown field "a\\"b\\n"');
});

test('isClean is true exactly when the type check, unknown fields and pruning find nothing', () => {
  const podGvk = { group: '', version: 'v1', kind: 'Pod' };
  const pod = () => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { a: 'b' }, creationTimestamp: null },
    spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m' } } }] },
  });
  const variants: Array<[string, (o: ReturnType<typeof pod>) => void, boolean]> = [
    ['valid', () => {}, true],
    ['unknown top-level field', (o) => Object.assign(o, { bogus: 1 }), false],
    ['unknown nested field', (o) => Object.assign(o.spec.containers[0]!, { imagee: 'x' }), false],
    ['string where an integer belongs', (o) => Object.assign(o.spec.containers[0]!.ports[0]!, { containerPort: '80' }), false],
    ['fractional integer', (o) => Object.assign(o.spec.containers[0]!.ports[0]!, { containerPort: 80.5 }), false],
    ['object where a list belongs', (o) => Object.assign(o.spec, { containers: { name: 'c' } }), false],
    ['number as quantity', (o) => Object.assign(o.spec.containers[0]!.resources.requests, { memory: 5 }), true],
    ['object as a label value', (o) => Object.assign(o.metadata.labels, { x: {} }), false],
  ];
  for (const [what, change, want] of variants) {
    const o = pod();
    change(o);
    assert.equal(isClean(o, podGvk), want, what);
    if (want) {
      assert.equal(typeError(o, podGvk), undefined, what);
      assert.deepEqual(unknownFields(o, podGvk), [], what);
      const before = JSON.stringify(o);
      pruneUnknownFields(o, podGvk);
      assert.equal(JSON.stringify(o), before, what);
    } else {
      assert.ok(typeError(o, podGvk) !== undefined || unknownFields(o, podGvk).length > 0, what);
    }
  }
  assert.equal(isClean(deployment(), deployGvk), true);
  assert.equal(isClean({ anything: 1 }, { group: 'x.example', version: 'v1', kind: 'Nope' }), true);
});
