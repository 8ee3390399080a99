import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../status.ts';
import { parseGoJson } from './go-json.ts';
import { applyPatch, contentTypeForPatchType, patchTypeFromContentType } from './index.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const gvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
const doc = { metadata: { name: 'web', labels: { a: '1' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } };

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, 400);
    return e.message;
  }
  assert.fail('expected 400');
}

describe('patchTypeFromContentType', () => {
  it('classifies the four patch media types', () => {
    assert.equal(patchTypeFromContentType('application/json-patch+json'), 'json');
    assert.equal(patchTypeFromContentType('application/merge-patch+json; charset=utf-8'), 'merge');
    assert.equal(patchTypeFromContentType('Application/Strategic-Merge-Patch+JSON'), 'strategic');
    assert.equal(patchTypeFromContentType('application/apply-patch+yaml'), 'apply');
    assert.equal(patchTypeFromContentType('application/json'), undefined);
    assert.equal(patchTypeFromContentType(undefined), undefined);
    assert.equal(contentTypeForPatchType('strategic'), 'application/strategic-merge-patch+json');
  });
});

describe('applyPatch', () => {
  it('dispatches each type', () => {
    const j = applyPatch('json', doc, enc('[{"op":"replace","path":"/spec/replicas","value":3}]'), gvk);
    assert.equal(j.spec.replicas, 3);
    const m = applyPatch('merge', doc, enc('{"metadata":{"labels":{"a":null,"b":"2"}}}'), gvk);
    assert.deepEqual(m.metadata.labels, { b: '2' });
    const s = applyPatch('strategic', doc, enc('{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"y"}]}}}}'), gvk);
    assert.deepEqual(s.spec.template.spec.containers, [{ name: 'c', image: 'y' }]);
    assert.equal(doc.spec.replicas, 1);
  });

  it('reports bodies that are not JSON like the apiserver', () => {
    assert.equal(badRequest(() => applyPatch('strategic', doc, enc('{"spec":}'), gvk)), "invalid character '}' looking for beginning of value");
    assert.equal(badRequest(() => applyPatch('merge', doc, enc('{"a":1'), gvk)), 'error decoding patch: unexpected end of JSON input');
    assert.equal(badRequest(() => applyPatch('json', doc, enc('[1] x'), gvk)), "error decoding patch: invalid character 'x' after top-level value");
    assert.equal(
      badRequest(() => applyPatch('merge', doc, enc('[1]'), gvk)),
      'error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}',
    );
    assert.equal(badRequest(() => applyPatch('strategic', doc, enc('null'), gvk)), 'json: cannot unmarshal null into Go value of type map[string]interface {}');
  });
});

describe('parseGoJson', () => {
  it("words syntax errors like Go's encoding/json", () => {
    const msg = (s: string) => {
      try {
        parseGoJson(s);
      } catch (e) {
        return (e as Error).message;
      }
      return 'ok';
    };
    assert.equal(msg('{"a":1}'), 'ok');
    assert.equal(msg(''), 'unexpected end of JSON input');
    assert.equal(msg('{"a" 1}'), "invalid character '1' after object key");
    assert.equal(msg('{"a":1 "b":2}'), "invalid character '\"' after object key:value pair");
    assert.equal(msg('{a:1}'), "invalid character 'a' looking for beginning of object key string");
    assert.equal(msg('[1 2]'), "invalid character '2' after array element");
    assert.equal(msg('tru'), 'unexpected end of JSON input');
    assert.equal(msg('trux'), "invalid character 'x' in literal true (expecting 'e')");
    assert.equal(msg('-x'), "invalid character 'x' in numeric literal");
    assert.equal(msg('"a\nb"'), "invalid character '\\n' in string literal");
    assert.equal(msg('"\\q"'), "invalid character 'q' in string escape code");
  });
});
