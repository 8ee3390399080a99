import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duplicateFields } from './json-duplicates.ts';

test('finds duplicate keys with their paths', () => {
  assert.deepEqual(duplicateFields('{"a":1,"b":{"c":"x\\"y","c":2},"a":3}'), ['b.c', 'a']);
  assert.deepEqual(duplicateFields('{"spec":{"containers":[{"name":"a","name":"b"}]}}'), ['spec.containers[0].name']);
  assert.deepEqual(duplicateFields('{"a":[1,2,{"x":{}}],"b":null,"c":true}'), []);
  assert.deepEqual(duplicateFields('{"a":'), []);
});
