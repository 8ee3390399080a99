import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRequestInfo } from '../request-info.ts';
import type { ApiRequest } from '../types.ts';
import { Auditor } from './auditor.ts';
import { LogBackend } from './log-backend.ts';
import { parsePolicy } from './policy.ts';

const policy = parsePolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: RequestResponse
    resources: [{ group: "", resources: [configmaps] }]
  - level: Metadata
`);

function request(method: string, path: string, body?: object): ApiRequest {
  return {
    method,
    path,
    query: new URLSearchParams(method === 'GET' && path.endsWith('configmaps') ? 'watch=true' : ''),
    headers: { 'content-type': 'application/json', 'user-agent': 'test/1', 'x-forwarded-for': '10.0.0.1, 10.0.0.2' },
    body: body ? new TextEncoder().encode(JSON.stringify(body)) : undefined,
    signal: new AbortController().signal,
  };
}

describe('auditor', () => {
  const user = { username: 'alice', groups: ['system:authenticated'] };

  it('logs RequestReceived and ResponseComplete with bodies at RequestResponse', () => {
    const events: Record<string, any>[] = [];
    const a = new Auditor(policy, { write: (e) => events.push(e as Record<string, any>) });
    const req = request('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'cm' }, data: { a: 'b' } });
    const r = a.begin(req, parseRequestInfo(req.method, req.path, req.query));
    r.setUser(user);
    r.setAuthorization(true, 'RBAC: allowed');
    const res = r.finish({ status: 201, headers: { 'content-type': 'application/json' }, body: new TextEncoder().encode('{"metadata":{"name":"cm","uid":"u"}}') });
    assert.equal(res.headers['audit-id'], r.auditID);
    assert.deepEqual(events.map((e) => e.stage), ['RequestReceived', 'ResponseComplete']);
    const done = events[1]!;
    assert.equal(done.verb, 'create');
    assert.deepEqual(done.sourceIPs, ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(done.objectRef, { resource: 'configmaps', namespace: 'default', name: 'cm', apiGroup: '', apiVersion: 'v1' });
    assert.equal(done.requestObject.data.a, 'b');
    assert.equal(done.responseObject.metadata.uid, 'u');
    assert.deepEqual(done.responseStatus, { metadata: {}, code: 201 });
    assert.equal(done.annotations['authorization.k8s.io/reason'], 'RBAC: allowed');
    assert.match(done.stageTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('logs a watch as ResponseStarted, then ResponseComplete when its stream ends', async () => {
    const events: Record<string, any>[] = [];
    const a = new Auditor(policy, { write: (e) => events.push(e as Record<string, any>) });
    const req = request('GET', '/api/v1/namespaces/default/configmaps');
    const r = a.begin(req, parseRequestInfo(req.method, req.path, req.query));
    r.setUser(user);
    const res = r.finish({ status: 200, headers: {}, body: (async function* () { yield new Uint8Array([1]); })() });
    assert.deepEqual(events.map((e) => e.stage), ['RequestReceived', 'ResponseStarted']);
    for await (const _ of res.body as AsyncIterable<Uint8Array>) void _;
    assert.deepEqual(events.map((e) => e.stage), ['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
    assert.equal(events[2]!.verb, 'watch');
  });

  it('keeps bodies out at Metadata and carries a failure status', () => {
    const events: Record<string, any>[] = [];
    const a = new Auditor(policy, { write: (e) => events.push(e as Record<string, any>) });
    const req = request('POST', '/api/v1/namespaces/default/secrets', { metadata: { name: 's' }, data: { p: 'c2VjcmV0' } });
    const r = a.begin(req, parseRequestInfo(req.method, req.path, req.query));
    r.setUser(user);
    r.setAuthorization(false, '');
    const body = new TextEncoder().encode('{"kind":"Status","status":"Failure","reason":"Forbidden","message":"no"}');
    r.finish({ status: 403, headers: { 'content-type': 'application/json' }, body });
    const done = events[1]!;
    assert.equal(done.requestObject, undefined);
    assert.equal(done.responseObject, undefined);
    assert.equal(done.objectRef.name, 's');
    assert.deepEqual(done.responseStatus, { metadata: {}, code: 403, status: 'Failure', message: 'no', reason: 'Forbidden' });
    assert.equal(done.annotations['authorization.k8s.io/decision'], 'forbid');
  });
});

describe('audit log file', () => {
  it('appends JSON lines and rotates at maxsize keeping maxbackup files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-audit-'));
    try {
      const path = join(dir, 'audit.log');
      const log = new LogBackend({ path, maxSizeMB: 0.001, maxBackups: 2 });
      for (let i = 0; i < 40; i++) log.write({ i, pad: 'x'.repeat(100) });
      log.close();
      const files = (await readdir(dir)).sort();
      assert.equal(files.length, 3, `current + 2 backups, got ${files.join(', ')}`);
      const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { i: number });
      assert.equal(lines.at(-1)!.i, 39);
      assert.ok(files.every((f) => f === 'audit.log' || /^audit-\d{4}-.*\.log$/.test(f)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
