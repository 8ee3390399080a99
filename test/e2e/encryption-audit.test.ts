/**
 * @module Acceptance: secrets are encrypted at rest (no plaintext in the SQLite file and WAL,
 * nor in etcd), key rotation by rewriting, and the audit log at Metadata/RequestResponse.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { startCluster, type TestCluster } from '../support/server.ts';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import type { Secret } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.ts';
import { Client } from '../../src/client/rest.ts';
import { refs } from '../../src/client/refs.ts';
import { startEtcd } from '../../src/storage/testing/etcd-server.ts';

const secretValue = 'hunter2-very-secret';
const secretB64 = Buffer.from(secretValue).toString('base64');

/** Every byte the SQLite datastore has on disk: the database, its WAL and shared memory. */
async function dbBytes(dataDir: string): Promise<Buffer> {
  const dir = join(dataDir, 'db');
  const files = await readdir(dir);
  return Buffer.concat(await Promise.all(files.map((f) => readFile(join(dir, f)))));
}

function config(keys: { name: string; secret: string }[]): string {
  const list = keys.map((k) => `            - name: ${k.name}\n              secret: ${k.secret}`).join('\n');
  return `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aesgcm:
          keys:
${list}
      - identity: {}
`;
}

describe('encryption at rest and audit', { skip: haveKubectl ? false : 'kubectl not installed' }, () => {
  let cluster: TestCluster;
  let aux: string;
  const auditLog = () => join(aux, 'audit.log');
  const encryptionFile = () => join(aux, 'encryption.yaml');
  const key1 = randomBytes(32).toString('base64');
  before(async () => {
    aux = await mkdtemp(join(tmpdir(), 'skiff-enc-'));
    await writeFile(
      join(aux, 'policy.yaml'),
      `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    resources: [{ group: "", resources: [secrets] }]
  - level: RequestResponse
    resources: [{ group: "", resources: [configmaps] }]
  - level: None
`,
    );
    await writeFile(encryptionFile(), config([{ name: 'key1', secret: key1 }]), { mode: 0o600 });
    cluster = await startCluster({
      server: { encryptionConfig: encryptionFile(), audit: { policyFile: join(aux, 'policy.yaml'), logPath: auditLog() } },
    });
  });
  after(async () => {
    await cluster?.stop();
    await rm(aux, { recursive: true, force: true });
  });

  it('keeps a secret out of the SQLite file while kubectl reads it back', async () => {
    await cluster.kubectl.ok(['create', 'secret', 'generic', 's', `--from-literal=password=${secretValue}`]);
    await cluster.kubectl.ok(['create', 'configmap', 'cm', '--from-literal=plain=visible-config-value']);
    const out = await cluster.kubectl.ok(['get', 'secret', 's', '-o', 'jsonpath={.data.password}']);
    assert.equal(Buffer.from(out, 'base64').toString(), secretValue);
    const bytes = await dbBytes(cluster.dataDir);
    assert.ok(bytes.includes('k8s:enc:aesgcm:v1:key1:'), 'the secret is stored with the aesgcm prefix');
    assert.ok(!bytes.includes(secretValue), 'no plaintext secret value on disk');
    assert.ok(!bytes.includes(secretB64), 'no base64 secret value on disk');
    assert.ok(bytes.includes('visible-config-value'), 'a ConfigMap (not configured) stays plaintext');
    // Sealing uses a fresh nonce each time: an unchanged replace must still be a no-op.
    // (The first replace is a write: it adds kubectl-replace to managedFields.)
    const replace = async (s: Secret) => JSON.parse(await cluster.kubectl.ok(['replace', '-o', 'json', '-f', '-'], { input: JSON.stringify(s) })) as Secret;
    const once = await replace(JSON.parse(await cluster.kubectl.ok(['get', 'secret', 's', '-o', 'json'])) as Secret);
    const twice = await replace(once);
    assert.equal(twice.metadata?.resourceVersion, once.metadata?.resourceVersion);
  });

  it('decrypts on the watch path', async () => {
    const client = new Client(cluster.server.transportFor({ username: 'skiff-admin', groups: ['system:masters'] }));
    const secrets = client.resource<Secret & KubeObject>(refs.secrets);
    const list = await secrets.list({ namespace: 'default' });
    const stop = new AbortController();
    const seen = (async () => {
      for await (const ev of secrets.watch({ namespace: 'default', resourceVersion: list.metadata.resourceVersion, signal: stop.signal }))
        if (ev.type === 'ADDED' && (ev.object as Secret).metadata?.name === 'w') return (ev.object as Secret).data?.k;
      return undefined;
    })();
    try {
      await cluster.kubectl.ok(['create', 'secret', 'generic', 'w', '--from-literal=k=watched-secret']);
      assert.equal(Buffer.from((await seen) ?? '', 'base64').toString(), 'watched-secret');
    } finally {
      stop.abort();
      await seen.catch(() => undefined);
    }
  });

  it('logs secrets at Metadata (no body) and configmaps with request and response', async () => {
    const events = await eventually(async () => {
      const lines = (await readFile(auditLog(), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
      const sec = lines.find((e) => e.verb === 'create' && e.objectRef?.resource === 'secrets' && e.objectRef?.name === 's');
      // By name: the root CA publisher creates kube-root-ca.crt ConfigMaps too.
      const cm = lines.find((e) => e.verb === 'create' && e.objectRef?.resource === 'configmaps' && e.objectRef?.name === 'cm');
      return sec && cm ? { sec, cm, lines } : undefined;
    }, 10_000, 'audit events for the creates');
    const { sec, cm, lines } = events;
    assert.equal(sec.apiVersion, 'audit.k8s.io/v1');
    assert.equal(sec.kind, 'Event');
    assert.equal(sec.level, 'Metadata');
    assert.equal(sec.stage, 'ResponseComplete');
    assert.equal(sec.user.username, 'skiff-admin');
    assert.equal(sec.objectRef.name, 's');
    assert.equal(sec.objectRef.namespace, 'default');
    assert.equal(sec.responseStatus.code, 201);
    assert.equal(sec.requestObject, undefined);
    assert.equal(sec.annotations['authorization.k8s.io/decision'], 'allow');
    assert.match(sec.auditID, /^[0-9a-f-]{36}$/);
    assert.ok(sec.userAgent.startsWith('kubectl'));
    assert.ok(!JSON.stringify(lines).includes(secretB64), 'the audit log holds no secret data');
    assert.equal(cm.level, 'RequestResponse');
    assert.equal(cm.requestObject.data.plain, 'visible-config-value');
    assert.equal(cm.responseObject.metadata.name, 'cm');
    assert.ok(!lines.some((e) => e.stage === 'RequestReceived'), 'omitStages drops RequestReceived');
    assert.ok(!lines.some((e) => e.objectRef?.resource === 'namespaces'), 'level None logs nothing');
  });

  it('re-encrypts with a new first key on rewrite; the old key can then go', async () => {
    const key2 = randomBytes(32).toString('base64');
    await writeFile(encryptionFile(), config([{ name: 'key2', secret: key2 }, { name: 'key1', secret: key1 }]));
    await cluster.stopServer();
    await cluster.restart();
    const all = await cluster.kubectl.ok(['get', 'secrets', '-A', '-o', 'json']);
    await cluster.kubectl.ok(['replace', '-f', '-'], { input: all });
    const afterRewrite = await dbBytes(cluster.dataDir);
    assert.ok(afterRewrite.includes('k8s:enc:aesgcm:v1:key2:'), 'the rewrite stored the secret under key2');
    await writeFile(encryptionFile(), config([{ name: 'key2', secret: key2 }]));
    await cluster.stopServer();
    await cluster.restart();
    const out = await cluster.kubectl.ok(['get', 'secret', 's', '-o', 'jsonpath={.data.password}']);
    assert.equal(Buffer.from(out, 'base64').toString(), secretValue);
  });
});

describe('encryption at rest with etcd', () => {
  it('stores no plaintext secret in etcd', async (t) => {
    if (!haveKubectl) return t.skip('kubectl not installed');
    const etcd = await startEtcd();
    if ('skip' in etcd) return t.skip(etcd.skip);
    const cluster = await startCluster({ datastore: `etcd://${etcd.endpoints.map((e) => e.replace(/^https?:\/\//, '')).join(',')}` });
    try {
      await cluster.kubectl.ok(['create', 'secret', 'generic', 's', `--from-literal=password=${secretValue}`]);
      const out = await cluster.kubectl.ok(['get', 'secret', 's', '-o', 'jsonpath={.data.password}']);
      assert.equal(Buffer.from(out, 'base64').toString(), secretValue);
      const { stdout } = await promisify(execFile)('etcdctl', ['--endpoints', etcd.endpoints.join(','), 'get', '--prefix', ''], {
        maxBuffer: 64 << 20,
        encoding: 'buffer',
      });
      assert.ok(stdout.includes('k8s:enc:aesgcm:v1:key1:'), 'the secret is stored encrypted');
      assert.ok(!stdout.includes(secretValue) && !stdout.includes(secretB64), 'no plaintext secret in etcd');
    } finally {
      await cluster.stop();
      await etcd.stop();
    }
  });
});
