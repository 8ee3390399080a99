/**
 * @module Decodes every body the real kubectl sent (fixtures/cases, recorded by
 * fixtures/capture.ts) and compares it with the JSON form of the same object.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeKubernetesProtobuf } from './decode.ts';
import { normaliseObject } from './fixtures/normalise.ts';
import { KIND_MESSAGES, MESSAGES } from './messages/index.ts';

interface Fixture {
  name: string;
  path: string;
  contentType: string;
  body: string;
  expected: Record<string, unknown> & { apiVersion: string; kind: string };
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'cases');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture);

test('there are real-kubectl fixtures', () => {
  assert.ok(fixtures.length >= 20, `only ${fixtures.length} fixtures`);
});

for (const fx of fixtures) {
  test(`kubectl fixture ${fx.name} (${fx.path})`, () => {
    assert.equal(fx.contentType, 'application/vnd.kubernetes.protobuf');
    const { apiVersion, kind } = fx.expected;
    const message = KIND_MESSAGES[`${apiVersion}/${kind}`];
    assert.ok(message, `no table for ${apiVersion}/${kind}`);
    const expected = normaliseObject(MESSAGES, message, fx.expected);
    const actual = decodeKubernetesProtobuf(Buffer.from(fx.body, 'base64'));
    assert.deepStrictEqual(actual, expected);
  });
}
