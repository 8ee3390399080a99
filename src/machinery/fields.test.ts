import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeFieldValue, fieldSelectorFromSet, parseFieldSelector } from './fields.ts';
import { StatusError } from './status.ts';

const obj: Record<string, string> = { 'metadata.name': 'web', 'status.phase': 'Running', 'spec.nodeName': 'n1' };
const get = (f: string) => obj[f];

function parseError(s: string): string {
  try {
    parseFieldSelector(s);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(s)} to be rejected`);
}

describe('parseFieldSelector', () => {
  it('parses =, == and != and ANDs terms', () => {
    const sel = parseFieldSelector('status.phase!=Succeeded,status.phase!=Failed,spec.nodeName==n1');
    assert.deepEqual(sel.requirements, [
      { field: 'spec.nodeName', op: '=', value: 'n1' },
      { field: 'status.phase', op: '!=', value: 'Failed' },
      { field: 'status.phase', op: '!=', value: 'Succeeded' },
    ]);
    assert.equal(sel.matches(get), true);
    assert.equal(parseFieldSelector('status.phase!=Running').matches(get), false);
  });

  it('treats absent fields as the empty string', () => {
    assert.equal(parseFieldSelector('spec.other=').matches(get), true);
    assert.equal(parseFieldSelector('spec.other!=x').matches(get), true);
  });

  it('exposes exact matches for metadata.name narrowing', () => {
    const sel = parseFieldSelector('metadata.name=web,metadata.namespace!=kube-system');
    assert.equal(sel.exactMatch('metadata.name'), 'web');
    assert.equal(sel.exactMatch('metadata.namespace'), undefined);
  });

  it('handles escapes', () => {
    const sel = parseFieldSelector('a=x\\,y\\=z\\\\,b=2');
    assert.deepEqual(sel.requirements, [
      { field: 'a', op: '=', value: 'x,y=z\\' },
      { field: 'b', op: '=', value: '2' },
    ]);
    assert.equal(sel.toString(), 'a=x\\,y\\=z\\\\,b=2');
    assert.equal(escapeFieldValue('a,b=c\\'), 'a\\,b\\=c\\\\');
  });

  it('ignores empty terms and accepts the empty selector', () => {
    assert.equal(parseFieldSelector('').empty, true);
    assert.equal(parseFieldSelector(',a=b,').requirements.length, 1);
  });

  it('reports upstream messages', () => {
    assert.equal(parseError('foo'), "invalid selector: 'foo'; can't understand 'foo'");
    assert.equal(parseError('a=b=c'), 'invalid field selector: unescaped character in value: 61');
    assert.equal(parseError('a=b\\x'), 'invalid field selector: invalid escape sequence: \\x');
    assert.equal(parseError('a=b\\'), 'invalid field selector: invalid escape sequence: \\');
  });
});

describe('fieldSelectorFromSet', () => {
  it('builds equality requirements', () => {
    const sel = fieldSelectorFromSet({ 'metadata.name': 'web' });
    assert.equal(sel.toString(), 'metadata.name=web');
    assert.equal(sel.matches(get), true);
  });
});
