import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { acceptWebSocket, ChannelSession, chooseChannelProtocol, offeredProtocols, statusFor, type ChannelProtocol } from './websocket-channel.ts';

/** A server whose every upgrade becomes a ChannelSession handed to `onSession`. */
async function serve(onSession: (s: ChannelSession) => void | Promise<void>): Promise<{ server: Server; url: string }> {
  const server = createServer();
  server.on('upgrade', async (req, socket, head) => {
    const protocol = chooseChannelProtocol(offeredProtocols(req));
    if (!protocol) return socket.destroy();
    const ws = await acceptWebSocket(req, socket, head, protocol);
    if (!ws) return;
    await onSession(new ChannelSession(ws, protocol));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

function collect(ws: WebSocket): { frames: Buffer[]; closed: Promise<number> } {
  const frames: Buffer[] = [];
  ws.on('message', (d: Buffer) => frames.push(Buffer.from(d)));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  return { frames, closed };
}

const text = (frames: Buffer[], ch: number) => Buffer.concat(frames.filter((f) => f[0] === ch).map((f) => f.subarray(1))).toString();

test('v5: stdout, stderr, stdin half-close via CLOSE frame, Failure status with the exit code', async (t) => {
  const { server, url } = await serve(async (s) => {
    s.stdout.write('out\n');
    s.stderr.write('err\n');
    const chunks: Buffer[] = [];
    for await (const c of s.stdin) chunks.push(c as Buffer);
    s.stdout.write(`got:${Buffer.concat(chunks).toString()}`);
    await s.finish({ exitCode: 3, command: ['sh', '-c', 'exit 3'] });
  });
  t.after(() => server.close());
  const ws = new WebSocket(url, ['v5.channel.k8s.io']);
  const { frames, closed } = collect(ws);
  await new Promise((r) => ws.on('open', r));
  assert.equal(ws.protocol, 'v5.channel.k8s.io');
  ws.send(Buffer.concat([Buffer.of(0), Buffer.from('hello')]));
  ws.send(Buffer.of(255, 0));
  assert.equal(await closed, 1000);
  assert.equal(text(frames, 1), 'out\ngot:hello');
  assert.equal(text(frames, 2), 'err\n');
  const status = JSON.parse(text(frames, 3)) as { status: string; reason: string; details: { causes: { reason: string; message: string }[] } };
  assert.equal(status.status, 'Failure');
  assert.equal(status.reason, 'NonZeroExitCode');
  assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '3' }]);
});

test('success status, resize events and pings answered', async (t) => {
  let sizes: { width: number; height: number }[] = [];
  const { server, url } = await serve(async (s) => {
    const it = s.resize();
    sizes = [(await it.next()).value!, (await it.next()).value!];
    await s.finish({ exitCode: 0 });
  });
  t.after(() => server.close());
  const ws = new WebSocket(url, ['v5.channel.k8s.io']);
  const { frames, closed } = collect(ws);
  await new Promise((r) => ws.on('open', r));
  const pong = new Promise((r) => ws.once('pong', r));
  ws.ping();
  await pong;
  ws.send(Buffer.concat([Buffer.of(4), Buffer.from('{"Width":80,"Height":24}\n')]));
  ws.send(Buffer.concat([Buffer.of(4), Buffer.from('{"Width":100,"Height":30}\n')]));
  await closed;
  assert.deepEqual(sizes, [{ width: 80, height: 24 }, { width: 100, height: 30 }]);
  assert.deepEqual(JSON.parse(text(frames, 3)), { metadata: {}, status: 'Success' });
});

test('older protocols: v4 preferred over v1; v1 carries a plain-text error and stdin ends on close', async (t) => {
  let seen: ChannelProtocol | undefined;
  let stdinEnded!: () => void;
  const ended = new Promise<string>((r) => (stdinEnded = () => r('ended')));
  const { server, url } = await serve(async (s) => {
    seen = s.protocol;
    if (s.protocol === 'channel.k8s.io') {
      s.stdin.resume();
      s.stdin.on('end', () => stdinEnded());
      await s.finish({ exitCode: 2 });
    } else await s.finish({});
  });
  t.after(() => server.close());
  const a = new WebSocket(url, ['channel.k8s.io', 'v4.channel.k8s.io']);
  await collect(a).closed;
  assert.equal(seen, 'v4.channel.k8s.io');
  const b = new WebSocket(url, ['channel.k8s.io']);
  const { frames, closed } = collect(b);
  await closed;
  assert.equal(seen, 'channel.k8s.io');
  assert.equal(text(frames, 3), 'command terminated with non-zero exit code: exit code 2');
  const deadline = new Promise<string>((r) => setTimeout(() => r('timeout'), 5000).unref());
  assert.equal(await Promise.race([ended, deadline]), 'ended');
});

test('statusFor renders a runtime failure as a Failure Status', () => {
  const s = statusFor({ error: 'container is not running' });
  assert.equal(s['status'], 'Failure');
  assert.equal(s['message'], 'container is not running');
});
