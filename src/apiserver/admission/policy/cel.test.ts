import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compile, evalBool, evalString, toCel } from './cel.ts';

const object = toCel({
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { replicas: 6, ratio: 0.5, containers: [{ name: 'a', image: 'nginx:1.27' }, { name: 'b', image: 'busybox:latest' }] },
});

describe('admission CEL', () => {
  it('JSON integers compare as CEL ints, floats stay doubles', () => {
    assert.equal(evalBool('object.spec.replicas <= 5', { object }), false);
    assert.equal(evalBool('object.spec.replicas == 6', { object }), true);
    assert.equal(evalBool('object.spec.ratio < 1.0', { object }), true);
  });
  it('macros all/exists/map/filter, has() and string functions', () => {
    assert.equal(evalBool('object.spec.containers.all(c, c.image.contains(":"))', { object }), true);
    assert.equal(evalBool('object.spec.containers.exists(c, c.image.endsWith(":latest"))', { object }), true);
    assert.equal(evalBool('object.spec.containers.map(c, c.name) == ["a", "b"]', { object }), true);
    assert.equal(evalBool('object.spec.containers.filter(c, c.name.startsWith("b")).size() == 1', { object }), true);
    assert.equal(evalBool('has(object.metadata.labels) && !has(object.metadata.annotations)', { object }), true);
    assert.equal(evalBool('object.metadata.name.matches("^w.b$")', { object }), true);
    assert.equal(evalString('"replicas: " + string(object.spec.replicas)', { object }), 'replicas: 6');
  });
  it('caches compiled programs and reports errors', () => {
    assert.equal(compile('1 + 1 == 2'), compile('1 + 1 == 2'));
    assert.throws(() => compile('object.spec.'));
    assert.throws(() => evalBool('object.spec.missing > 1', { object }));
    assert.throws(() => evalBool('object.spec.replicas', { object }), /want bool/);
  });
});
