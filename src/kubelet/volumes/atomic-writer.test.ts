import assert from 'node:assert/strict';
import { mkdtemp, readFile, readlink, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { writeAtomic, type Payload } from './atomic-writer.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const payload = (o: Record<string, string>, mode = 0o644): Payload => new Map(Object.entries(o).map(([k, v]) => [k, { data: Buffer.from(v), mode }]));

it('writes through ..data, swaps atomically, removes stale entries and skips unchanged payloads', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-aw-'));
  dirs.push(dir);
  assert.equal(await writeAtomic(dir, payload({ a: '1', 'sub/b': '2' })), true);
  assert.equal(await readFile(join(dir, 'a'), 'utf8'), '1');
  assert.equal(await readFile(join(dir, 'sub/b'), 'utf8'), '2');
  assert.equal(await readlink(join(dir, 'a')), '..data/a');
  const first = await readlink(join(dir, '..data'));
  assert.equal(await writeAtomic(dir, payload({ a: '1', 'sub/b': '2' })), false);
  assert.equal(await readlink(join(dir, '..data')), first);
  assert.equal(await writeAtomic(dir, payload({ a: 'changed', c: '3' }, 0o400)), true);
  assert.equal(await readFile(join(dir, 'a'), 'utf8'), 'changed');
  assert.equal((await stat(join(dir, 'c'))).mode & 0o777, 0o400);
  const entries = await readdir(dir);
  assert.ok(!entries.includes('sub'), 'stale entries are removed');
  assert.ok(!entries.includes(first), 'the old payload folder is removed');
  await assert.rejects(writeAtomic(dir, payload({ '../escape': 'x' })), /invalid path/);
});
