import assert from 'node:assert/strict';
import { test } from 'node:test';
import { duplicateFields } from '../../machinery/json-duplicates.ts';
import { bodyText, mayRepeatKeys } from './body.ts';

test('mayRepeatKeys is false only when the text has no repeated key', () => {
  const cases: Array<[string, boolean]> = [
    ['{"a":1,"b":{"c":[{"d":2},{"d":3}]}}', false],
    ['{ "a" : 1 , "b" :\n {"c" :\t"x:y"} }', false],
    ['{"a":1,"a":2}', true],
    ['{"a":{"b":1,"b":1}}', true],
    ['{"items":[{"k":1,"k":2}]}', true],
    ['{"ts":"2026-12-01T23:21:08Z","image":"pause:3.10"}', false],
    // A value that looks like a key end only sends the body to the full scan.
    ['{"port":":80"}', true],
    ['{"s":"a\\":b"}', true],
    ['{"__proto__":1,"__proto__":2}', true],
    ['[]', false],
    ['{}', false],
  ];
  for (const [text, want] of cases) {
    assert.equal(mayRepeatKeys(text, JSON.parse(text)), want, text);
    // Whenever the pre-check says "no repeats", the full scan agrees.
    if (!want) assert.deepEqual(duplicateFields(text), [], text);
  }
});

test('bodyText decodes UTF-8 bodies', () => {
  const body = new TextEncoder().encode('{"a":"é"}');
  assert.equal(bodyText(body), '{"a":"é"}');
  assert.equal(bodyText(body), '{"a":"é"}');
});
