import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { duplexPair, TestSpdyClient } from './spdy-testing.ts';
import { controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock, FLAG_FIN, FrameType, parseFrames, SpdySession, ZlibContext, type SpdyStream } from './spdy.ts';
import { SPDY_DICTIONARY } from './spdy-dictionary.ts';

test('the SPDY/3 dictionary has the spec length and ends with its known tail', () => {
  assert.equal(SPDY_DICTIONARY.length, 1423);
  assert.equal(SPDY_DICTIONARY.subarray(0, 11).toString('hex'), '000000076f7074696f6e73');
  assert.equal(SPDY_DICTIONARY.subarray(-8).toString(), '*,enq=0.');
  assert.equal(createHash('sha256').update(SPDY_DICTIONARY).digest('hex').length, 64);
});

test('frames round-trip and partial input waits for the rest', () => {
  const a = controlFrame(FrameType.Ping, 0, Buffer.from([0, 0, 0, 1]));
  const b = dataFrame(3, FLAG_FIN, Buffer.from('xyz'));
  const all = Buffer.concat([a, b]);
  const first = parseFrames(all.subarray(0, 13));
  assert.equal(first.frames.length, 1);
  const second = parseFrames(Buffer.concat([first.rest, all.subarray(13)]));
  assert.deepEqual(second.frames[0], { control: false, streamId: 3, flags: FLAG_FIN, data: Buffer.from('xyz') });
  assert.equal(second.rest.length, 0);
});

test('header blocks survive a shared compression context across several blocks', async () => {
  const def = new ZlibContext('deflate');
  const inf = new ZlibContext('inflate');
  for (const h of [{ streamtype: 'error', port: '80', requestid: '0' }, { streamtype: 'data', port: '80', requestid: '0' }]) {
    assert.deepEqual(decodeHeaderBlock(await inf.run(await def.run(encodeHeaderBlock(h)))), h);
  }
  def.close();
  inf.close();
});

test('session: SYN_STREAM surfaces a stream, SYN_REPLY/DATA/FIN flow back, PING is echoed, RST destroys', async () => {
  const [server, client] = duplexPair();
  const session = new SpdySession(server);
  const streams: SpdyStream[] = [];
  session.on('stream', (s) => {
    streams.push(s);
    void s.reply();
    s.on('error', () => undefined);
    if (s.headers['streamtype'] === 'data') s.pipe(s); // echo
  });
  const c = new TestSpdyClient(client);
  const next = async () => (await c.received[Symbol.asyncIterator]().next()).value as Record<string, unknown>;
  await c.open(1, { streamtype: 'data', port: '80', requestid: '0' });
  assert.deepEqual(await next(), { reply: 1, headers: {} });
  client.write(dataFrame(1, 0, Buffer.from('ping-pong')));
  const echoed = (await next()) as { streamId: number; data: Buffer };
  assert.equal(echoed.streamId, 1);
  assert.equal(echoed.data.toString(), 'ping-pong');
  client.write(dataFrame(1, FLAG_FIN, Buffer.alloc(0)));
  const fin = (await next()) as { streamId: number; flags: number };
  assert.equal(fin.flags & FLAG_FIN, FLAG_FIN);
  client.write(controlFrame(FrameType.Ping, 0, Buffer.from([0, 0, 0, 7])));
  const ping = (await next()) as { control: boolean; type: number; data: Buffer };
  assert.equal(ping.type, FrameType.Ping);
  assert.equal(ping.data.readUInt32BE(0), 7);
  await c.open(3, { streamtype: 'error', port: '80', requestid: '1' });
  await next(); // reply
  const rst = Buffer.alloc(8);
  rst.writeUInt32BE(3, 0);
  rst.writeUInt32BE(5, 4);
  client.write(controlFrame(FrameType.RstStream, 0, rst));
  await new Promise((r) => streams[1]!.once('close', r));
  assert.equal(streams[1]!.destroyed, true);
  session.close();
  c.close();
});
