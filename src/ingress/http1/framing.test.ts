import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BodyReader, requestBody, responseBody } from './framing.ts';
import type { RequestHead, ResponseHead } from './head.ts';
import { thrownStatus } from './testing.ts';

const head = (headers: string[], version = 11): RequestHead => ({ method: 'POST', target: '/', version, headers });
const res = (status: number, headers: string[], version = 11): ResponseHead => ({ version, status, reason: '', headers });
const status = thrownStatus;

/** Feeds `wire` to a reader in pieces of `step` bytes; returns the body bytes and the rest. */
function drive(r: BodyReader, wire: Buffer, step: number, decode = false): { body: string; payload: string; rest: string } {
  let body = '';
  let payload = '';
  let rest = '';
  for (let i = 0; i < wire.length; i += step) {
    const piece = wire.subarray(i, i + step);
    if (r.done) {
      rest += piece.toString('latin1');
      continue;
    }
    const n = r.take(piece, decode ? (p) => (payload += p.toString('latin1')) : undefined);
    body += piece.subarray(0, n).toString('latin1');
    rest += piece.subarray(n).toString('latin1');
  }
  return { body, payload, rest };
}

describe('http1 body framing', () => {
  it('frames requests by Content-Length or chunked; none without either', () => {
    assert.deepEqual(requestBody(head(['Content-Length', '5'])), { kind: 'length', length: 5 });
    assert.deepEqual(requestBody(head(['Content-Length', '5', 'content-length', '5'])), { kind: 'length', length: 5 });
    assert.deepEqual(requestBody(head(['Content-Length', '0'])), { kind: 'none' });
    assert.deepEqual(requestBody(head(['Transfer-Encoding', 'gzip, chunked'])), { kind: 'chunked' });
    assert.deepEqual(requestBody(head([])), { kind: 'none' });
  });

  it('rejects request smuggling shapes with 400', () => {
    const cases: string[][] = [
      ['Content-Length', '5', 'Transfer-Encoding', 'chunked'],
      ['Content-Length', '5', 'Content-Length', '6'],
      ['Content-Length', '5, 6'],
      ['Content-Length', '+5'],
      ['Content-Length', '0x5'],
      ['Content-Length', ''],
      ['Transfer-Encoding', 'chunked, gzip'],
      ['Transfer-Encoding', 'gzip'],
      ['Transfer-Encoding', 'chunked', 'Transfer-Encoding', 'chunked'],
      ['Transfer-Encoding', 'xchunked'],
    ];
    for (const h of cases) assert.equal(status(() => requestBody(head(h))), 400, JSON.stringify(h));
    assert.equal(status(() => requestBody(head(['Transfer-Encoding', 'chunked'], 10))), 400);
  });

  it('tracks chunks with extensions and a trailer, split at every byte, leaving the next message', () => {
    const wire = Buffer.from('5;name=value;x\r\nhello\r\n6 ; ext\r\n world\r\nA\r\n0123456789\r\n0;last\r\nX-Trailer: 1\r\nY: 2\r\n\r\nGET /next HTTP/1.1\r\n');
    const bodyLen = wire.indexOf('GET /next');
    for (const step of [1, 2, 7, wire.length]) {
      const out = drive(new BodyReader({ kind: 'chunked' }), wire, step, true);
      assert.equal(out.body.length, bodyLen, `step ${step}`);
      assert.equal(out.payload, 'hello world0123456789');
      assert.equal(out.rest, 'GET /next HTTP/1.1\r\n');
    }
  });

  it('rejects bad chunk sizes and framing', () => {
    const bad = ['x\r\n', '\r\n', '-1\r\n', '0x5\r\nhello\r\n', '1234567890abcd\r\n', '5\nhello\r\n', '5\r\nhelloX\r\n', '0\r\nbad trailer\n\r\n', ' 5\r\nhello\r\n'];
    for (const s of bad) assert.equal(status(() => new BodyReader({ kind: 'chunked' }).take(Buffer.from(s))), 400, JSON.stringify(s));
    assert.equal(status(() => new BodyReader({ kind: 'chunked' }, 502).take(Buffer.from('z\r\n'))), 502);
  });

  it('counts Content-Length bodies and keeps what follows', () => {
    const out = drive(new BodyReader({ kind: 'length', length: 5 }), Buffer.from('helloGET'), 3);
    assert.deepEqual([out.body, out.rest], ['hello', 'GET']);
  });

  it('frames responses: HEAD, 1xx, 204 and 304 have no body; TE beats CL; else until close', () => {
    assert.deepEqual(responseBody('HEAD', res(200, ['Content-Length', '100'])), { kind: 'none' });
    for (const s of [100, 204, 304]) assert.deepEqual(responseBody('GET', res(s, ['Content-Length', '100'])), { kind: 'none' });
    assert.deepEqual(responseBody('GET', res(200, ['Content-Length', '3', 'Transfer-Encoding', 'chunked'])), { kind: 'chunked' });
    assert.deepEqual(responseBody('GET', res(200, ['Content-Length', '3'])), { kind: 'length', length: 3 });
    assert.deepEqual(responseBody('GET', res(200, [])), { kind: 'close' });
    assert.equal(status(() => responseBody('GET', res(200, ['Content-Length', '3', 'Content-Length', '4']))), 502);
    const r = new BodyReader({ kind: 'close' });
    assert.equal(r.take(Buffer.from('abc')), 3);
    assert.equal(r.done, false);
    assert.equal(r.closed(), true);
    assert.equal(new BodyReader({ kind: 'length', length: 3 }).closed(), false, 'a short body is truncated');
  });
});
