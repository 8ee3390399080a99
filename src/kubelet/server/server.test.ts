import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createCA, issueCert, type KeyPairPem } from '../../pki/certs.ts';
import { silentLogger } from '../../util/log.ts';
import type { StreamTarget } from './handlers.ts';
import { readContainerLog } from './logs.ts';
import { KubeletServer } from './server.ts';

const line = (t: string, s: string, tag = 'F') => `${t} stdout ${tag} ${s}\n`;

describe('kubelet server', () => {
  let ca: KeyPairPem, apiserver: KeyPairPem, stranger: KeyPairPem, dir: string, port: number;
  const ctl = new AbortController();
  const seen: StreamTarget[] = [];
  const pod: Pod = {
    metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
    spec: { containers: [{ name: 'c' }, { name: 'w' }] },
    status: {
      containerStatuses: [
        { name: 'c', image: '', imageID: '', ready: true, restartCount: 0, state: { running: {} } },
        { name: 'w', image: '', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
      ],
    },
  };
  const get = (path: string, cert = apiserver) =>
    new Promise<{ code: number; body: string }>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, path, cert: cert.cert, key: cert.key, ca: ca.cert }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      r.on('error', reject);
      r.end();
    });

  before(async () => {
    ca = await createCA('ca');
    const other = await createCA('other');
    apiserver = await issueCert(ca, { commonName: 'kube-apiserver-kubelet-client', usage: 'client' });
    stranger = await issueCert(other, { commonName: 'kube-apiserver-kubelet-client', usage: 'client' });
    const serving = await issueCert(ca, { commonName: 'system:node:n', usage: 'server', sans: ['127.0.0.1'] });
    dir = await mkdtemp(join(tmpdir(), 'kubelet-server-'));
    await mkdir(join(dir, 'logs', 'ns_p_u1', 'c'), { recursive: true });
    await appendFile(join(dir, 'logs', 'ns_p_u1', 'c', '0.log'), line('2024-01-01T00:00:00.100000000Z', 'a') + line('2024-01-01T00:00:01.000000000Z', 'b'));
    const server = new KubeletServer({
      cert: serving.cert, key: serving.key, clientCA: ca.cert, port: 0, address: '127.0.0.1', agentDir: dir, logger: silentLogger,
      getPod: (ns, name) => (ns === 'ns' && name === 'p' ? pod : undefined),
      handlers: {
        exec: (_req, socket, _head, target) => {
          seen.push(target);
          socket.end('HTTP/1.1 101 Switching Protocols\r\n\r\n');
        },
      },
    });
    port = await server.start(ctl.signal);
  });
  after(async () => {
    ctl.abort();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves healthz and logs to the API server only', async () => {
    assert.deepEqual(await get('/healthz'), { code: 200, body: 'ok' });
    assert.equal((await get('/healthz', stranger)).code, 401);
    assert.equal((await get('/containerLogs/ns/p/c')).body, 'a\nb\n');
    assert.equal((await get('/containerLogs/ns/p/c?tailLines=1&timestamps=true')).body, '2024-01-01T00:00:01Z b\n');
    assert.equal((await get('/containerLogs/ns/p/c?sinceTime=2024-01-01T00:00:00.5Z')).body, 'b\n');
    assert.deepEqual(await get('/containerLogs/ns/p/w'), { code: 400, body: 'container "w" in pod "p" is waiting to start: ContainerCreating' });
    assert.equal((await get('/containerLogs/ns/p/c?previous=true')).body, 'previous terminated container "c" in pod "p" not found');
    assert.equal((await get('/containerLogs/ns/q/c')).code, 404);
  });

  it('dispatches upgrades to the stream handlers and refuses absent ones', async () => {
    const raw = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port, ca: ca.cert, cert: apiserver.cert, key: apiserver.key }, () =>
          s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`));
        let out = '';
        s.on('data', (d) => (out += d));
        s.on('end', () => resolve(out));
        s.on('error', reject);
      });
    assert.match(await raw('/exec/ns/p/c?command=ls'), /^HTTP\/1.1 101/);
    assert.deepEqual({ ...seen[0], query: seen[0]?.query.get('command') }, { namespace: 'ns', pod: 'p', container: 'c', query: 'ls' });
    assert.match(await raw('/exec/ns/p/u1/c'), /^HTTP\/1.1 101/);
    assert.equal(seen[1]?.uid, 'u1');
    const pf = await raw('/portForward/ns/p');
    assert.match(pf, /^HTTP\/1.1 501/);
    assert.match(pf, /"kind":"Status"/);
    assert.equal((await get('/exec/ns/p/c')).code, 400);
  });

  it('follows a log across rotation and stops when the container stops', async () => {
    const path = join(dir, 'follow.log');
    await appendFile(path, line('2024-01-01T00:00:00Z', 'one'));
    let live = true;
    const fctl = new AbortController();
    const out: string[] = [];
    const reading = (async () => {
      for await (const c of readContainerLog({ path, running: () => live, pollMs: 20 }, { follow: true, timestamps: false }, fctl.signal)) out.push(Buffer.from(c).toString());
    })();
    const until = async (want: string) => {
      for (const end = Date.now() + 5000; out.join('') !== want; await new Promise((r) => setTimeout(r, 20))) if (Date.now() > end) assert.fail(`got ${JSON.stringify(out.join(''))}`);
    };
    await until('one\n');
    await appendFile(path, line('2024-01-01T00:00:01Z', 'tw', 'P'));
    await appendFile(path, line('2024-01-01T00:00:01Z', 'o'));
    await until('one\ntwo\n');
    await rename(path, `${path}.20240101-000002`);
    await appendFile(path, line('2024-01-01T00:00:03Z', 'three'));
    await until('one\ntwo\nthree\n');
    live = false;
    await reading;
    fctl.abort();
  });
});
