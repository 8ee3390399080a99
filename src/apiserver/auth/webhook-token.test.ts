import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createCA, issueCert } from '../../pki/certs.ts';
import { loadWebhookConfig, webhookTokenAuthenticator } from './webhook-token.ts';

describe('webhook token authenticator', () => {
  let server: Server;
  let dir: string;
  let config: string;
  let calls = 0;

  before(async () => {
    const ca = await createCA('webhook-ca');
    const serving = await issueCert(ca, { commonName: 'webhook', usage: 'server', sans: ['127.0.0.1'] });
    server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        calls++;
        const review = JSON.parse(body) as { kind: string; spec: { token: string } };
        const ok = review.kind === 'TokenReview' && review.spec.token === 'iam-token' && req.headers.authorization === 'Bearer hook-secret';
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', status: ok ? { authenticated: true, user: { username: 'arn:aws:iam::1:user/ann', uid: 'x', groups: ['eks-devs'] } } : { authenticated: false } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dir = await mkdtemp(join(tmpdir(), 'skiff-webhook-'));
    await writeFile(join(dir, 'ca.crt'), ca.cert);
    config = join(dir, 'webhook.kubeconfig');
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/authenticate`;
    await writeFile(config, `apiVersion: v1\nkind: Config\nclusters:\n- name: hook\n  cluster:\n    server: ${url}\n    certificate-authority: ca.crt\nusers:\n- name: apiserver\n  user:\n    token: hook-secret\ncontexts:\n- name: hook\n  context: {cluster: hook, user: apiserver}\ncurrent-context: hook\n`);
  });
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('asks the webhook with a TokenReview and caches positive answers', async () => {
    const auth = webhookTokenAuthenticator(await loadWebhookConfig(config));
    assert.deepEqual(await auth.authenticateToken('iam-token'), { username: 'arn:aws:iam::1:user/ann', uid: 'x', groups: ['eks-devs', 'system:authenticated'] });
    assert.equal(await auth.authenticateToken('other'), undefined);
    const before = calls;
    await auth.authenticateToken('iam-token');
    assert.equal(calls, before, 'answered from the cache');
  });
});
