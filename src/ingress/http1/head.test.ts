import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { field, headEnd, maxHeadBytes, parseRequestHead, parseResponseHead, tokens } from './head.ts';
import { thrownStatus } from './testing.ts';

const req = (s: string) => {
  const b = Buffer.from(s, 'latin1');
  const end = headEnd(b);
  assert.ok(end > 0, 'complete head');
  return parseRequestHead(b, end);
};
const status = thrownStatus;

describe('http1 head parser', () => {
  it('parses a request line and the header fields as a flat list', () => {
    const h = req('GET /a?b=1 HTTP/1.1\r\nHost: web.test\r\nX-A:  one \r\nx-a: two\r\nConnection: keep-alive, Upgrade\r\n\r\n');
    assert.deepEqual([h.method, h.target, h.version], ['GET', '/a?b=1', 11]);
    assert.deepEqual(h.headers, ['Host', 'web.test', 'X-A', 'one', 'x-a', 'two', 'Connection', 'keep-alive, Upgrade']);
    assert.equal(field(h.headers, 'host'), 'web.test');
    assert.deepEqual(tokens(h.headers, 'connection'), ['keep-alive', 'upgrade']);
    assert.equal(req('GET / HTTP/1.0\r\n\r\n').version, 10);
  });

  it('finds the end of a head split across packets, and only then', () => {
    const full = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /next');
    for (let cut = 0; cut < 27; cut++) assert.equal(headEnd(full.subarray(0, cut)), -1, `cut at ${cut}`);
    assert.equal(headEnd(full), 27);
  });

  it('answers 431 for a head over 16 KiB, complete or not', () => {
    const big = Buffer.from(`GET / HTTP/1.1\r\nX: ${'a'.repeat(maxHeadBytes)}`);
    assert.equal(status(() => headEnd(big)), 431);
    assert.equal(status(() => headEnd(Buffer.concat([big, Buffer.from('\r\n\r\n')]))), 431);
  });

  it('rejects malformed requests with 400 (and unknown versions with 505)', () => {
    const bad = [
      'GET /\r\n\r\n',
      'GET  / HTTP/1.1\r\n\r\n',
      'GET / HTTP/1.1 x\r\n\r\n',
      'G(T / HTTP/1.1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost : a\r\n\r\n', // whitespace before the colon
      'GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n', // obsolete line folding
      'GET / HTTP/1.1\r\nX: a\nY: b\r\n\r\n', // bare LF
      'GET / HTTP/1.1\r\nX: a\rb\r\n\r\n', // bare CR
      'GET / HTTP/1.1\r\n: empty\r\n\r\n',
      'GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n',
      'GET / HTTPS/1.1\r\n\r\n',
    ];
    for (const s of bad) assert.equal(status(() => req(s)), 400, JSON.stringify(s));
    assert.equal(status(() => req('GET / HTTP/2.0\r\n\r\n')), 505);
  });

  it('parses status lines, with and without a reason; a broken one is a 502', () => {
    const r = (s: string) => {
      const b = Buffer.from(s);
      return parseResponseHead(b, headEnd(b));
    };
    assert.deepEqual(r('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n'), { version: 11, status: 200, reason: 'OK', headers: ['Content-Length', '2'] });
    assert.equal(r('HTTP/1.0 404\r\n\r\n').reason, '');
    assert.equal(r('HTTP/1.1 502 Bad  Gateway here\r\n\r\n').reason, 'Bad  Gateway here');
    for (const s of ['HTTP/1.1 20 OK\r\n\r\n', 'HTTP/1.1 2000 OK\r\n\r\n', 'HTTP/1.1 OK\r\n\r\n', 'ICY 200 OK\r\n\r\n']) assert.equal(status(() => r(s)), 502, s);
  });
});
