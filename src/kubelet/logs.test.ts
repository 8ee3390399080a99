import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { parseCriLog, rotateLog, tailLog } from './logs.ts';

it('parses CRI log lines, joining partial ones', () => {
  const text = '2026-01-01T00:00:00.000000001Z stdout P hel\n2026-01-01T00:00:00.000000002Z stdout F lo\n2026-01-01T00:00:01Z stderr F oops\ngarbage\n2026-01-01T00:00:02Z stdout P tail';
  assert.deepEqual(parseCriLog(text), [
    { time: '2026-01-01T00:00:00.000000001Z', stream: 'stdout', content: 'hello\n' },
    { time: '2026-01-01T00:00:01Z', stream: 'stderr', content: 'oops\n' },
    { time: '2026-01-01T00:00:02Z', stream: 'stdout', content: 'tail' },
  ]);
});

it('tails and rotates log files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-logs-'));
  try {
    const path = join(dir, '0.log');
    const lines = Array.from({ length: 100 }, (_, i) => `2026-01-01T00:00:00Z stdout F line${i}`).join('\n') + '\n';
    await writeFile(path, lines);
    const tail = await tailLog(path, 2);
    assert.equal(tail, 'line98\nline99\n');
    assert.equal(await rotateLog(path, 1 << 20, 3), false);
    for (let i = 0; i < 4; i++) {
      await writeFile(path, lines);
      assert.equal(await rotateLog(path, 100, 3), true);
      await new Promise((r) => setTimeout(r, 5)); // distinct rotation timestamps
    }
    const files = await readdir(dir);
    assert.equal(files.filter((f) => f.startsWith('0.log.')).length, 2, 'keeps maxFiles-1 rotated files');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
