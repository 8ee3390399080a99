/**
 * decodeWatch: whole-line chunks (the in-process path) and chunks split anywhere, including
 * inside a multi-byte character, decode to the same events; ERROR events throw.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../machinery/status.ts';
import { decodeWatch } from './watch.ts';

const lines = [
  { type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'grüße – 日本 🎉' } } },
  { type: 'MODIFIED', object: { kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'plain' } } },
  { type: 'DELETED', object: { kind: 'ConfigMap', metadata: { name: 'b' }, data: { k: '🎉🎉' } } },
];
const wire = Buffer.from(lines.map((l) => JSON.stringify(l) + '\n').join(''), 'utf8');

async function* chunks(parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}

async function decodeAll(parts: Uint8Array[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const ev of decodeWatch(chunks(parts))) out.push(ev);
  return out;
}

describe('decodeWatch', () => {
  it('decodes one whole event per chunk', async () => {
    const parts = lines.map((l) => Buffer.from(JSON.stringify(l) + '\n', 'utf8'));
    assert.deepEqual(await decodeAll(parts), lines);
  });

  it('decodes the same events from chunks split at every byte', async () => {
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const parts: Uint8Array[] = [];
      for (let i = 0; i < wire.length; i += size) parts.push(wire.subarray(i, i + size));
      assert.deepEqual(await decodeAll(parts), lines, `chunks of ${size} bytes`);
    }
  });

  it('decodes whole events after a chunk that ended inside a character', async () => {
    const first = Buffer.from(JSON.stringify(lines[0]) + '\n', 'utf8');
    const cut = first.indexOf(Buffer.from('🎉')) + 2; // inside the 4-byte emoji
    const parts = [first.subarray(0, cut), first.subarray(cut), ...lines.slice(1).map((l) => Buffer.from(JSON.stringify(l) + '\n'))];
    assert.deepEqual(await decodeAll(parts), lines);
  });

  it('decodes several events in one chunk and skips blank lines', async () => {
    const text = `\n${JSON.stringify(lines[0])}\r\n\n${JSON.stringify(lines[1])}\n`;
    assert.deepEqual(await decodeAll([Buffer.from(text), Buffer.from('\n'), Buffer.from(JSON.stringify(lines[2]) + '\n')]), lines);
  });

  it('throws the Status of an ERROR event', async () => {
    const err = { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version' } };
    await assert.rejects(decodeAll([Buffer.from(JSON.stringify(lines[0]) + '\n'), Buffer.from(JSON.stringify(err) + '\n')]), (e: unknown) => isStatusError(e) && e.code === 410);
  });
});
