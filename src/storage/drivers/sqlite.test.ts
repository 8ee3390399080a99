import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackendSuite } from '../testing/backend.suite.ts';
import { SqliteBackend } from './sqlite.ts';

runBackendSuite('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-sqlite-'));
  const backend = new SqliteBackend(join(dir, 'db', 'state.db'));
  await backend.start();
  return {
    backend,
    async cleanup() {
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

test('sqlite keeps every key and the revision counter across a reopen', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-sqlite-'));
  try {
    const path = join(dir, 'state.db');
    const a = new SqliteBackend(path);
    await a.start();
    await a.create('/k/1', new TextEncoder().encode('one'));
    const d = await a.create('/k/2', new TextEncoder().encode('two'));
    await a.delete('/k/2', d.revision);
    const rev = await a.currentRevision();
    await a.close();
    const b = new SqliteBackend(path);
    await b.start();
    assert.equal(await b.currentRevision(), rev);
    assert.equal(new TextDecoder().decode((await b.get('/k/1')).kv!.value), 'one');
    assert.equal((await b.get('/k/2')).kv, undefined);
    const next = await b.create('/k/3', new TextEncoder().encode('three'));
    assert.equal(next.revision, rev + 1);
    await b.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
