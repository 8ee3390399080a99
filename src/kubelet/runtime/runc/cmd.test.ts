import assert from 'node:assert/strict';
import { test } from 'node:test';
import { must, run } from './cmd.ts';
import { isGone, procStat } from './proc-state.ts';

test('run: exit code, both streams, stdin, timeout and a missing tool', async () => {
  assert.deepEqual(await run('sh', ['-c', 'echo out; echo err >&2; exit 3']), { code: 3, stdout: 'out\n', stderr: 'err\n' });
  assert.equal((await run('cat', [], { input: 'a\nb\n' })).stdout, 'a\nb\n');
  const t0 = Date.now();
  assert.equal((await run('sleep', ['5'], { timeoutMs: 200 })).code, 137);
  assert.ok(Date.now() - t0 < 4000);
  await assert.rejects(run('/nonexistent/tool', []), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  await assert.rejects(must('sh', ['-c', 'echo boom >&2; exit 1']), /exit 1: boom/);
  const many = await Promise.all(Array.from({ length: 40 }, (_, i) => run('sh', ['-c', `echo ${i}`])));
  assert.deepEqual(many.map((r) => r.stdout.trim()), Array.from({ length: 40 }, (_, i) => String(i)));
});

test('procStat: a live process and a gone one', async () => {
  const me = await procStat(process.pid);
  assert.ok(me && !isGone(me) && /^\d+$/.test(me.start));
  assert.equal(await procStat(0), undefined);
  assert.ok(isGone(await procStat(2 ** 22 + 7)));
});
