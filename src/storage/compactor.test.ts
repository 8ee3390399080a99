import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Compactor } from './compactor.ts';
import { MemoryBackend } from './drivers/memory.ts';

test('compacts to all but the newest revisions, keeping live keys', async () => {
  const b = new MemoryBackend();
  const enc = (s: string) => new TextEncoder().encode(s);
  let { kv } = await b.create('/k', enc('0'));
  for (let i = 1; i <= 20; i++) {
    const r = await b.update('/k', enc(String(i)), kv.modRevision);
    assert.ok(r.ok);
    kv = r.kv;
  }
  const c = new Compactor(b, { keepRevisions: 5, intervalMs: 1 });
  assert.equal(await c.compactOnce(), 16);
  assert.equal(await b.compactRevision(), 16);
  assert.equal(new TextDecoder().decode((await b.get('/k')).kv!.value), '20');
  assert.equal(await c.compactOnce(), undefined);
  const ctl = new AbortController();
  const running = c.start(ctl.signal);
  ctl.abort();
  await running;
});
