import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { WebSocket } from 'ws';
import { dataFrame, FLAG_FIN, SpdySession } from './spdy.ts';
import { duplexPair, TestSpdyClient } from './spdy-testing.ts';
import { parsePorts, servePortForwardChannels, servePortForwardSpdy, type Dial } from './port-forward.ts';
import { acceptWebSocket } from './websocket-channel.ts';

/** An upper-casing TCP echo server: proves bytes went through the target and came back. */
async function upperEcho(): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.on('data', (d) => s.write(d.toString().toUpperCase()));
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

const dialLocal: Dial = (port) =>
  new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
const describe = (port: number, err: Error) => `error forwarding port ${port}: ${err.message}`;

test('portforward.k8s.io over SPDY: a data/error pair per requestID reaches the port; dial errors go to the error stream', async (t) => {
  const { server, port } = await upperEcho();
  t.after(() => server.close());
  const [a, b] = duplexPair();
  const session = new SpdySession(a);
  servePortForwardSpdy(session, dialLocal, describe);
  const c = new TestSpdyClient(b);
  t.after(() => {
    session.close();
    c.close();
  });
  const it = c.received[Symbol.asyncIterator]();
  const frames: Record<string, unknown>[] = [];
  const until = async (pred: (f: Record<string, unknown>) => boolean) => {
    for (;;) {
      const f = (await it.next()).value as Record<string, unknown>;
      frames.push(f);
      if (pred(f)) return f;
    }
  };
  await c.open(1, { streamtype: 'error', port: String(port), requestid: '0' }, true);
  await c.open(3, { streamtype: 'data', port: String(port), requestid: '0' });
  b.write(dataFrame(3, 0, Buffer.from('hello')));
  const data = (await until((f) => f['streamId'] === 3 && (f['data'] as Buffer).length > 0)) as { data: Buffer };
  assert.equal(data.data.toString(), 'HELLO');
  assert.ok(frames.some((f) => f['reply'] === 1) && frames.some((f) => f['reply'] === 3), 'both streams replied');
  b.write(dataFrame(3, FLAG_FIN, Buffer.alloc(0)));
  await until((f) => f['streamId'] === 3 && ((f['flags'] as number) & FLAG_FIN) !== 0);

  // A closed port: the error stream carries the message, then FIN.
  const closed = await new Promise<number>((r) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => r(p));
    });
  });
  await c.open(5, { streamtype: 'error', port: String(closed), requestid: '1' }, true);
  await c.open(7, { streamtype: 'data', port: String(closed), requestid: '1' });
  const err = (await until((f) => f['streamId'] === 5 && (f['data'] as Buffer).length > 0)) as { data: Buffer };
  assert.match(err.data.toString(), new RegExp(`^error forwarding port ${closed}: .*ECONNREFUSED`));
});

test('client-node channel protocol: port prefix on both channels, then data both ways', async (t) => {
  const { server, port } = await upperEcho();
  const http = createHttpServer();
  http.on('upgrade', async (req, socket, head) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const ws = await acceptWebSocket(req, socket, head, 'v4.channel.k8s.io');
    if (ws) servePortForwardChannels(ws, parsePorts(q), dialLocal, describe);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.close();
    http.close();
  });
  const ws = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/?ports=${port}`, ['v4.channel.k8s.io']);
  const got: Buffer[] = [];
  const echoed = new Promise<void>((resolve) =>
    ws.on('message', (d: Buffer) => {
      got.push(Buffer.from(d));
      if (Buffer.concat(got.filter((g) => g[0] === 0).map((g) => g.subarray(1))).includes('ABC')) resolve();
    }),
  );
  await new Promise((r) => ws.on('open', r));
  ws.send(Buffer.concat([Buffer.of(0), Buffer.from('abc')]));
  await echoed;
  const lePort = Buffer.of(port & 0xff, port >> 8);
  assert.deepEqual(got.find((g) => g[0] === 0)!.subarray(1), lePort);
  assert.deepEqual(got.find((g) => g[0] === 1)!.subarray(1), lePort);
  ws.close();
});

test('parsePorts accepts repeated and comma-separated values', () => {
  assert.deepEqual(parsePorts(new URLSearchParams('ports=80,443&ports=8080')), [80, 443, 8080]);
});
