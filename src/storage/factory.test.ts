import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDatastore } from './factory.ts';

test('parses the datastore flag', () => {
  assert.deepEqual(parseDatastore('sqlite', '/d'), { kind: 'sqlite', path: '/d/db/state.db' });
  assert.deepEqual(parseDatastore('memory', '/d'), { kind: 'memory' });
  assert.deepEqual(parseDatastore('etcd://127.0.0.1:2379,10.0.0.2:2379', '/d'), {
    kind: 'etcd',
    endpoints: ['http://127.0.0.1:2379', 'http://10.0.0.2:2379'],
  });
  assert.throws(() => parseDatastore('etcd://', '/d'), /expected etcd:\/\//);
  assert.throws(() => parseDatastore('postgres://x', '/d'), /unknown datastore/);
});
