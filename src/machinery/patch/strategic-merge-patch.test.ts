import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../status.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';

const deploymentGvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
const podGvk = { group: '', version: 'v1', kind: 'Pod' };
const nodeGvk = { group: '', version: 'v1', kind: 'Node' };

type Json = Record<string, unknown>;

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Applies with frozen inputs, so any mutation of them throws. */
function smp(doc: Json, patch: unknown, gvk = podGvk): Json {
  return applyStrategicMergePatch(deepFreeze(structuredClone(doc)), deepFreeze(structuredClone(patch)), gvk);
}

function smpError(doc: Json, patch: unknown, gvk = podGvk): StatusError {
  try {
    smp(doc, patch, gvk);
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return e;
  }
  assert.fail('expected the patch to be rejected');
}

const container = (name: string, extra: Json = {}) => ({
  name,
  image: `${name}:1`,
  imagePullPolicy: 'IfNotPresent',
  terminationMessagePath: '/dev/termination-log',
  ...extra,
});

function liveDeployment(): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', resourceVersion: '42', finalizers: ['a.example.com/x'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            container('a', { args: ['x'], env: [{ name: 'E1', value: '1' }, { name: 'E2', value: '2' }] }),
            container('b'),
          ],
          volumes: [
            { name: 'v1', emptyDir: {} },
            { name: 'v2', emptyDir: {} },
          ],
          tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
          restartPolicy: 'Always',
        },
      },
    },
    status: { replicas: 2, conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True' }] },
  };
}

describe('strategic merge patch: kubectl patches', () => {
  it('applies the three-way client-side-apply patch from the wire contract', () => {
    const patch = {
      spec: {
        strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' },
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'a' }],
            '$setElementOrder/volumes': [{ name: 'v1' }],
            containers: [
              { '$setElementOrder/env': [{ name: 'E2' }], args: ['y'], env: [{ $patch: 'delete', name: 'E1' }], name: 'a' },
              { $patch: 'delete', name: 'b' },
            ],
            tolerations: null,
            volumes: [
              { $retainKeys: ['hostPath', 'name'], emptyDir: null, hostPath: { path: '/tmp' }, name: 'v1' },
              { $patch: 'delete', name: 'v2' },
            ],
          },
        },
      },
    };
    const out = smp(liveDeployment(), patch, deploymentGvk);
    const spec = out.spec as Json;
    assert.deepEqual(spec.strategy, { type: 'Recreate' });
    assert.deepEqual((spec.template as Json).spec, {
      containers: [container('a', { args: ['y'], env: [{ name: 'E2', value: '2' }] })],
      volumes: [{ name: 'v1', hostPath: { path: '/tmp' } }],
      restartPolicy: 'Always',
    });
    assert.equal(spec.replicas, 2);
    assert.deepEqual((out.metadata as Json).finalizers, ['a.example.com/x']);
    assert.equal(JSON.stringify(out).includes('$'), false, 'no directive may survive');
  });

  it('applies kubectl set image', () => {
    const patch = {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ image: 'nginx:3', name: 'b' }] } } },
    };
    const out = smp(liveDeployment(), patch, deploymentGvk);
    const containers = ((out.spec as Json).template as Json).spec as Json;
    assert.deepEqual(
      (containers.containers as Json[]).map((c) => [c.name, c.image, c.imagePullPolicy]),
      [['a', 'a:1', 'IfNotPresent'], ['b', 'nginx:3', 'IfNotPresent']],
    );
  });

  it('cordons and uncordons a node', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24' } };
    const cordoned = smp(node, { spec: { unschedulable: true } }, nodeGvk);
    assert.deepEqual(cordoned.spec, { podCIDR: '10.0.0.0/24', unschedulable: true });
    const uncordoned = smp(cordoned, { spec: { unschedulable: null } }, nodeGvk);
    assert.deepEqual(uncordoned.spec, { podCIDR: '10.0.0.0/24' });
  });

  it('merges container env by name, appending new entries after $setElementOrder', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'a',
                '$setElementOrder/env': [{ name: 'E1' }, { name: 'E2' }, { name: 'E3' }],
                env: [{ name: 'E2', value: 'two' }, { name: 'E3', value: '3' }],
              },
            ],
          },
        },
      },
    };
    const out = smp(liveDeployment(), patch, deploymentGvk);
    const a = ((((out.spec as Json).template as Json).spec as Json).containers as Json[])[0]!;
    assert.deepEqual(a.env, [{ name: 'E1', value: '1' }, { name: 'E2', value: 'two' }, { name: 'E3', value: '3' }]);
    assert.deepEqual(a.args, ['x']);
  });

  it('unions finalizers and deletes with $deleteFromPrimitiveList', () => {
    const pod = { metadata: { name: 'p', finalizers: ['x', 'y'] } };
    assert.deepEqual((smp(pod, { metadata: { finalizers: ['y', 'z'] } }).metadata as Json).finalizers, ['x', 'y', 'z']);
    const out = smp(pod, { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'], finalizers: ['w'] } });
    assert.deepEqual((out.metadata as Json).finalizers, ['w', 'y']);
  });

  it('merges status conditions by type (kubectl patch --subresource=status)', () => {
    const out = smp(liveDeployment(), { status: { conditions: [{ type: 'Available', status: 'False', reason: 'X' }] } }, deploymentGvk);
    assert.deepEqual((out.status as Json).conditions, [
      { type: 'Available', status: 'False', reason: 'X' },
      { type: 'Progressing', status: 'True' },
    ]);
  });

  it('merges container ports by containerPort and service ports by port', () => {
    const pod = { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }] }] } };
    const out = smp(pod, { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } });
    assert.deepEqual(((out.spec as Json).containers as Json[])[0]!.ports, [{ containerPort: 80, name: 'http', protocol: 'TCP' }]);
    const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
    const s = smp(svc, { spec: { ports: [{ port: 443, targetPort: 8443 }] } }, { group: '', version: 'v1', kind: 'Service' });
    assert.deepEqual((s.spec as Json).ports, [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 8443 }]);
  });
});

describe('strategic merge patch: semantics', () => {
  it('replaces lists without a strategy atomically', () => {
    const out = smp(liveDeployment(), { spec: { template: { spec: { containers: [{ name: 'a', args: ['z'] }] } } } }, deploymentGvk);
    const a = ((((out.spec as Json).template as Json).spec as Json).containers as Json[])[0]!;
    assert.deepEqual(a.args, ['z']);
  });

  it('treats unknown kinds: lists atomic, maps merged, metadata still ObjectMeta', () => {
    const gvk = { group: 'example.com', version: 'v1', kind: 'Widget' };
    const doc = { metadata: { finalizers: ['a'] }, spec: { items: [{ name: 'x', v: 1 }], cfg: { a: 1, b: 2 } } };
    const out = smp(doc, { metadata: { finalizers: ['b'] }, spec: { items: [{ name: 'x', w: 2 }], cfg: { b: null, c: 3 } } }, gvk);
    // New items precede server-only ones (upstream mergeSortedSlice).
    assert.deepEqual(out, { metadata: { finalizers: ['b', 'a'] }, spec: { items: [{ name: 'x', w: 2 }], cfg: { a: 1, c: 3 } } });
  });

  it('replaces the PodDisruptionBudget selector whole (patchStrategy=replace)', () => {
    const gvk = { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget' };
    const out = smp({ spec: { selector: { matchLabels: { a: '1' } }, minAvailable: 1 } }, { spec: { selector: { matchLabels: { b: '2' } } } }, gvk);
    assert.deepEqual(out.spec, { selector: { matchLabels: { b: '2' } }, minAvailable: 1 });
  });

  it('honours $patch: replace and delete in maps', () => {
    const doc = { spec: { nodeSelector: { a: '1', b: '2' }, containers: [] } };
    assert.deepEqual((smp(doc, { spec: { nodeSelector: { $patch: 'replace', c: '3' } } }).spec as Json).nodeSelector, { c: '3' });
    assert.deepEqual((smp(doc, { spec: { nodeSelector: { $patch: 'delete' } } }).spec as Json).nodeSelector, {});
    assert.deepEqual((smp(doc, { spec: { nodeSelector: { $patch: 'merge', c: '3' } } }).spec as Json).nodeSelector, { a: '1', b: '2', c: '3' });
  });

  it('honours $patch: replace in a merge list', () => {
    const doc = { spec: { containers: [container('a'), container('b')] } };
    const out = smp(doc, { spec: { containers: [{ $patch: 'replace' }, { name: 'c', image: 'c' }] } });
    assert.deepEqual((out.spec as Json).containers, [{ name: 'c', image: 'c' }]);
    const empty = smp(doc, { spec: { containers: [{ $patch: 'replace' }] } });
    assert.deepEqual((empty.spec as Json).containers, []);
  });

  it('deletes every duplicate matching a $patch: delete', () => {
    const doc = { spec: { containers: [{ name: '1' }, { name: '1' }, { name: '2', image: 'a' }, { name: '3' }, { name: '3' }] } };
    const out = smp(doc, { spec: { containers: [{ name: '1', $patch: 'delete' }, { name: '3', $patch: 'delete' }] } });
    assert.deepEqual((out.spec as Json).containers, [{ name: '2', image: 'a' }]);
  });

  it('keeps the patch order in a merging list (upstream cases)', () => {
    const doc = { spec: { containers: [{ name: '1' }, { name: '2', image: 'b' }, { name: '3' }] } };
    const out = smp(doc, { spec: { containers: [{ name: '3', image: 'c' }, { name: '1', image: 'a' }, { name: '2', args: ['x'] }] } });
    assert.deepEqual((out.spec as Json).containers, [{ name: '3', image: 'c' }, { name: '1', image: 'a' }, { name: '2', image: 'b', args: ['x'] }]);
    const out2 = smp(doc, { spec: { containers: [{ name: '3', image: 'c' }, { name: '1', image: 'a' }] } });
    assert.deepEqual((out2.spec as Json).containers, [{ name: '2', image: 'b' }, { name: '3', image: 'c' }, { name: '1', image: 'a' }]);
    const ints = { metadata: { finalizers: [1, 2, 3] } };
    assert.deepEqual((smp(ints, { metadata: { finalizers: [3, 1] } }).metadata as Json).finalizers, [2, 3, 1]);
  });

  it('puts items new to the server before server-only ones, as upstream', () => {
    const doc = { spec: { containers: [{ name: 'a' }] } };
    const out = smp(doc, { spec: { containers: [{ name: 'new' }] } });
    assert.deepEqual((out.spec as Json).containers, [{ name: 'new' }, { name: 'a' }]);
  });

  it('removes every $retainKeys-unlisted key and rejects patches that set unlisted keys', () => {
    const out = smp(liveDeployment(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, deploymentGvk);
    assert.deepEqual((out.spec as Json).strategy, { type: 'Recreate' });
    const e = smpError(liveDeployment(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 1 } } } }, deploymentGvk);
    assert.equal(e.code, 400);
    assert.equal(e.message, 'invalid patch format of retainKeys');
  });

  it('drops directives and nulls from values that are new to the object', () => {
    const out = smp({ spec: {} }, {
      spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'a', env: [{ name: 'X', $patch: 'delete' }] }], nodeSelector: { a: null, b: '1' } },
    });
    assert.deepEqual(out.spec, { containers: [{ name: 'a', env: [] }], nodeSelector: { b: '1' } });
  });

  it('does not let __proto__ keys change prototypes', () => {
    const out = smp({ metadata: { labels: {} } }, JSON.parse('{"metadata":{"labels":{"__proto__":{"polluted":"yes"}}}}') as Json);
    assert.equal(({} as Json).polluted, undefined);
    assert.equal(Object.getPrototypeOf((out.metadata as Json).labels), Object.prototype);
  });
});

describe('strategic merge patch: $setElementOrder', () => {
  const doc = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } };
  const names = (o: Json) => ((o.spec as Json).containers as Json[]).map((c) => c.name);

  it('reorders without a patch list', () => {
    assert.deepEqual(names(smp(doc, { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'a' }] } })), ['c', 'b', 'a']);
  });

  it('interleaves server-only items by their live positions', () => {
    assert.deepEqual(names(smp(doc, { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } })), ['b', 'a', 'c']);
    const out = smp(doc, { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }], containers: [{ name: 'c', image: 'c2' }] } });
    assert.deepEqual(names(out), ['b', 'c', 'a']);
  });

  it('tolerates order entries missing from the list (upstream case)', () => {
    const d = { spec: { containers: [{ name: '1' }, { name: '3' }] } };
    const out = smp(d, {
      spec: { '$setElementOrder/containers': [{ name: '3' }, { name: '2' }, { name: '1' }], containers: [{ name: '3', image: '3' }, { name: '1', image: '1' }] },
    });
    assert.deepEqual((out.spec as Json).containers, [{ name: '3', image: '3' }, { name: '1', image: '1' }]);
    const ints = smp({ metadata: { finalizers: [1, 3] } }, { metadata: { '$setElementOrder/finalizers': [3, 2, 1] } });
    assert.deepEqual((ints.metadata as Json).finalizers, [3, 1]);
  });

  it('rejects a patch list ordered differently from the directive', () => {
    const d = { spec: { containers: [{ name: '1' }, { name: '3' }, { name: '2' }] } };
    const e = smpError(d, {
      spec: { '$setElementOrder/containers': [{ name: '1' }, { name: '2' }, { name: '3' }], containers: [{ name: '3', image: '3' }, { name: '1', image: '1' }] },
    });
    assert.equal(e.code, 400);
    assert.match(e.message, /doesn't match \$setElementOrder list/);
  });
});

describe('strategic merge patch: errors', () => {
  it('rejects unknown directives and missing merge keys with upstream messages', () => {
    assert.equal(smpError({ spec: {} }, { spec: { $patch: 'explode' } }).message, 'unknown patch type: explode in map: map[$patch:explode]');
    const e = smpError({ spec: { containers: [{ name: 'a' }] } }, { spec: { containers: [{ image: 'x' }] } });
    assert.equal(e.message, 'map: map[image:x] does not contain declared merge key: name');
    assert.equal(
      smpError({ spec: { containers: [{ name: 'a' }] } }, { spec: { containers: [{ $patch: 'merge', name: 'a' }] } }).message,
      'merging lists cannot yet be specified in the patch',
    );
    assert.equal(smpError({ metadata: {} }, { metadata: { '$deleteFromPrimitiveList/finalizers': 'x' } }).message, 'invalid patch format of primitive list');
  });

  it('rejects lists of lists with 422', () => {
    const e = smpError({ metadata: { finalizers: [['a']] } }, { metadata: { finalizers: [['b']] } });
    assert.equal(e.code, 422);
    assert.equal(e.toStatus().details?.causes?.[0]?.message, 'lists of lists are not supported');
  });

  it('rejects a patch that is not an object', () => {
    const e = smpError({}, [1]);
    assert.equal(e.message, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
  });
});

describe('strategic merge patch: directives on values new to the object', () => {
  it('drops a new map carrying $patch: delete, as upstream', () => {
    const out = smp({ spec: {} }, { spec: { nodeSelector: { $patch: 'delete' }, affinity: { $patch: 'replace', nodeAffinity: {} } } });
    assert.deepEqual(out.spec, { affinity: { nodeAffinity: {} } });
  });
});

describe('strategic merge patch: primitive lists with kubectl directives', () => {
  it('orders, then deletes from, finalizers', () => {
    const out = smp({ metadata: { finalizers: ['a', 'b', 'c'] } }, {
      metadata: { '$setElementOrder/finalizers': ['c', 'a'], '$deleteFromPrimitiveList/finalizers': ['b'] },
    });
    assert.deepEqual((out.metadata as Json).finalizers, ['c', 'a']);
  });

  it('unions a node podCIDRs list', () => {
    const out = smp({ spec: { podCIDRs: ['10.0.0.0/24'] } }, { spec: { podCIDRs: ['10.0.0.0/24', 'fd00::/64'] } }, nodeGvk);
    assert.deepEqual((out.spec as Json).podCIDRs, ['10.0.0.0/24', 'fd00::/64']);
  });
});
