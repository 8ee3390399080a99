import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, fieldsOf, fromFieldsV1, toFieldsV1 } from './fieldset.ts';
import { keyElement, pathString, valueElement } from './path.ts';

const apps = { group: 'apps', version: 'v1', kind: 'Deployment' };

// As a 1.3x apiserver stores them for `kubectl create deployment` + the deployment controller.
const createEntry = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:progressDeadlineSeconds': {},
    'f:replicas': {},
    'f:revisionHistoryLimit': {},
    'f:selector': {},
    'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
    'f:template': {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"nginx"}': {
            '.': {},
            'f:image': {},
            'f:imagePullPolicy': {},
            'f:name': {},
            'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
            'f:resources': {},
            'f:terminationMessagePath': {},
            'f:terminationMessagePolicy': {},
          },
        },
        'f:dnsPolicy': {},
        'f:restartPolicy': {},
        'f:schedulerName': {},
        'f:securityContext': {},
        'f:terminationGracePeriodSeconds': {},
      },
    },
  },
};
const controllerEntry = {
  'f:metadata': { 'f:annotations': { '.': {}, 'f:deployment.kubernetes.io/revision': {} } },
  'f:status': {
    'f:availableReplicas': {},
    'f:conditions': {
      '.': {},
      'k:{"type":"Available"}': { '.': {}, 'f:lastTransitionTime': {}, 'f:lastUpdateTime': {}, 'f:message': {}, 'f:reason': {}, 'f:status': {}, 'f:type': {} },
      'k:{"type":"Progressing"}': { '.': {}, 'f:lastTransitionTime': {}, 'f:lastUpdateTime': {}, 'f:message': {}, 'f:reason': {}, 'f:status': {}, 'f:type': {} },
    },
    'f:observedGeneration': {},
    'f:readyReplicas': {},
    'f:replicas': {},
    'f:updatedReplicas': {},
  },
};

describe('fieldsV1', () => {
  it('round-trips real Deployment entries byte for byte', () => {
    for (const entry of [createEntry, controllerEntry]) {
      assert.equal(JSON.stringify(toFieldsV1(fromFieldsV1(entry))), JSON.stringify(entry));
    }
  });

  it('reads "." as membership and leaves as members', () => {
    const s = fromFieldsV1(createEntry);
    assert.ok(s.has(['f:metadata', 'f:labels']));
    assert.ok(s.has(['f:metadata', 'f:labels', 'f:app']));
    assert.ok(!s.has(['f:metadata']));
    assert.ok(s.has(['f:spec', 'f:selector']));
    assert.ok(s.has(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"nginx"}']));
  });

  it('sorts elements as upstream: fields, then keys, then values; "." first', () => {
    const s = FieldSet.of(
      ['f:metadata', 'f:finalizers', valueElement('b')],
      ['f:metadata', 'f:finalizers', valueElement('a')],
      ['f:metadata', 'f:finalizers'],
      ['f:b'],
      ['f:a'],
    );
    assert.equal(JSON.stringify(toFieldsV1(s)), '{"f:a":{},"f:b":{},"f:metadata":{"f:finalizers":{".":{},"v:\\"a\\"":{},"v:\\"b\\"":{}}}}');
  });

  it('canonicalises key order and drops unknown element kinds', () => {
    const s = fromFieldsV1({ 'k:{"protocol":"TCP","containerPort":80}': {}, 'x:weird': {}, 'f:a': { 'z:odd': {} } });
    assert.deepEqual(s.paths(), [['f:a'], ['k:{"containerPort":80,"protocol":"TCP"}']]);
  });
});

describe('FieldSet', () => {
  const a = FieldSet.of(['f:spec', 'f:replicas'], ['f:spec', 'f:paused'], ['f:metadata', 'f:labels', 'f:x']);
  const b = FieldSet.of(['f:spec', 'f:replicas'], ['f:status']);

  it('union, difference, intersection, isEmpty', () => {
    assert.equal(a.union(b).paths().length, 4);
    assert.deepEqual(a.difference(b).paths(), [['f:metadata', 'f:labels', 'f:x'], ['f:spec', 'f:paused']]);
    assert.deepEqual(a.intersection(b).paths(), [['f:spec', 'f:replicas']]);
    assert.ok(a.intersection(FieldSet.of(['f:nope'])).isEmpty());
    assert.ok(new FieldSet().isEmpty());
    assert.ok(a.union(b).equals(b.union(a)));
  });

  it('withoutPrefixes drops whole subtrees', () => {
    assert.deepEqual(a.withoutPrefixes(FieldSet.of(['f:spec'])).paths(), [['f:metadata', 'f:labels', 'f:x']]);
  });
});

describe('pathString', () => {
  it('prints upstream fieldpath.Path strings', () => {
    assert.equal(pathString(['f:spec', 'f:replicas']), '.spec.replicas');
    assert.equal(
      pathString(['f:spec', 'f:template', 'f:spec', 'f:containers', keyElement({ name: 'nginx' }), 'f:image']),
      '.spec.template.spec.containers[name="nginx"].image',
    );
    assert.equal(pathString(['f:ports', keyElement({ protocol: 'TCP', containerPort: 80 })]), '.ports[containerPort=80,protocol="TCP"]');
    assert.equal(pathString(['f:metadata', 'f:finalizers', valueElement('x')]), '.metadata.finalizers[="x"]');
  });
});

describe('fieldsOf', () => {
  it('owns leaves, items, map keys and atomic values, not identity metadata', () => {
    const s = fieldsOf(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default', finalizers: ['f1'], annotations: { a: 'b' } },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: { spec: { containers: [{ name: 'c', args: ['x'], resources: {} }], tolerations: [] } },
        },
      },
      apps,
    );
    assert.deepEqual(toFieldsV1(s), {
      'f:metadata': { 'f:annotations': { 'f:a': {} }, 'f:finalizers': { 'v:"f1"': {} } },
      'f:spec': {
        'f:selector': {},
        'f:template': {
          'f:spec': {
            'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:args': {}, 'f:name': {}, 'f:resources': {} } },
            'f:tolerations': {},
          },
        },
      },
    });
  });

  it('rejects duplicate or keyless list-map items when strict', () => {
    const dup = { spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'a' }] } } } };
    assert.throws(() => fieldsOf(dup, apps, { strict: true }), {
      code: 400,
      message: 'failed to create typed patch object (apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="a"]',
    });
    // Lenient mode owns the list whole.
    assert.ok(fieldsOf(dup, apps).has(['f:spec', 'f:template', 'f:spec', 'f:containers']));
    assert.throws(() => fieldsOf({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, apps, { strict: true }), /omits key field "name"/);
  });
});
