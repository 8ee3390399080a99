import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import type { ContainerStatus, ExecOptions, PodSandboxStatus, Runtime } from '../runtime/interface.ts';
import { execHandler } from './exec.ts';

/** Just the runtime calls exec uses: one sandbox with a running and an exited container. */
function runtime(): Runtime {
  const sb = { id: 'sb1', uid: 'u1', name: 'p', namespace: 'ns', attempt: 0, state: 'ready' } as PodSandboxStatus;
  const cs = [
    { id: 'c1', name: 'main', attempt: 0, state: 'running' },
    { id: 'c2', name: 'done', attempt: 0, state: 'exited' },
  ] as ContainerStatus[];
  return {
    listPodSandboxes: async () => [sb],
    listContainers: async () => cs,
    exec: async (id: string, command: string[], o: ExecOptions) => {
      o.stdout?.write(`${id}:${command.join(' ')}`);
      return 7;
    },
  } as unknown as Runtime;
}

async function serve(t: { after(fn: () => void): void }): Promise<number> {
  const handler = execHandler({ runtime: runtime() });
  const server = createServer();
  server.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const [, , ns, pod, container] = u.pathname.split('/');
    void handler(req, socket, head, { namespace: ns!, pod: pod!, container: container!, query: u.searchParams });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  return (server.address() as AddressInfo).port;
}

test('exec resolves the running container and ends with the exit code status', async (t) => {
  const port = await serve(t);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/exec/ns/p/main?command=echo&command=hi&stdout=true`, ['v5.channel.k8s.io']);
  const frames: Buffer[] = [];
  ws.on('message', (d: Buffer) => frames.push(Buffer.from(d)));
  await new Promise((r) => ws.on('close', r));
  assert.equal(frames.find((f) => f[0] === 1)!.subarray(1).toString(), 'c1:echo hi');
  const status = JSON.parse(frames.find((f) => f[0] === 3)!.subarray(1).toString()) as { reason: string; message: string };
  assert.equal(status.reason, 'NonZeroExitCode');
  assert.equal(status.message, "command terminated with non-zero exit code: command 'echo hi' exited with 7");
});

test('exec into an exited container or a missing pod is refused before the upgrade, also for SPDY', async (t) => {
  const port = await serve(t);
  const upgrade = (path: string, headers: Record<string, string>) =>
    new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method: headers['upgrade'] === 'SPDY/3.1' ? 'POST' : 'GET', headers: { connection: 'Upgrade', ...headers } });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      req.on('upgrade', () => reject(new Error('unexpected upgrade')));
      req.on('error', reject);
      req.end();
    });
  const ws = { upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': 'v5.channel.k8s.io' };
  const exited = await upgrade('/exec/ns/p/done?command=true&stdout=true', ws);
  assert.equal(exited.code, 400);
  assert.match(exited.body, /container done is not running in pod ns\/p/);
  const spdy = await upgrade('/exec/ns/p/done?command=true&stdout=true', { upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v4.channel.k8s.io' });
  assert.match(spdy.body, /container done is not running/);
  const missing = await upgrade('/exec/ns/gone/main?command=true&stdout=true', ws);
  assert.equal(missing.code, 404);
  assert.equal((JSON.parse(missing.body) as { reason: string }).reason, 'NotFound');
  const spdyOk = await upgrade('/exec/ns/p/main?command=true&stdout=true', { upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v4.channel.k8s.io' });
  assert.equal(spdyOk.code, 400);
  assert.match(spdyOk.body, /SPDY is not/);
});
