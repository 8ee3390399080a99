import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiRequest } from '../types.ts';
import { peerAuthenticator, type TokenAuthenticator } from './authenticator.ts';
import { requestAuthenticator } from './union.ts';

const req = (path: string, headers: Record<string, string> = {}, method = 'GET'): ApiRequest => ({ method, path, query: new URLSearchParams(), headers, signal: new AbortController().signal });
const tokens: TokenAuthenticator[] = [{ authenticateToken: async (t) => (t === 'good' ? { username: 'u', groups: ['system:authenticated'] } : undefined) }];

describe('request authenticator', () => {
  it('uses the peer, then the bearer token; anonymous off by default', async () => {
    const a = requestAuthenticator({ peer: peerAuthenticator, tokens, anonymous: false });
    assert.equal((await a.authenticate(req('/api', { authorization: 'Bearer good' })))?.username, 'u');
    assert.equal((await a.authenticate(req('/api', { authorization: 'bearer good' })))?.username, 'u');
    assert.equal(await a.authenticate(req('/api', { authorization: 'Bearer bad' })), undefined);
    assert.equal(await a.authenticate(req('/api')), undefined);
    const peer = { ...req('/api', { authorization: 'Bearer bad' }), peer: { kind: 'certificate' as const, commonName: 'c', organizations: ['o'] } };
    assert.deepEqual(await a.authenticate(peer), { username: 'c', groups: ['o', 'system:authenticated'] });
  });

  it('lets anyone read kube-public/cluster-info as system:anonymous, and only that', async () => {
    const a = requestAuthenticator({ peer: peerAuthenticator, tokens, anonymous: false });
    assert.equal((await a.authenticate(req('/api/v1/namespaces/kube-public/configmaps/cluster-info')))?.username, 'system:anonymous');
    assert.equal(await a.authenticate(req('/api/v1/namespaces/kube-public/configmaps/cluster-info', {}, 'PUT')), undefined);
    assert.equal(await a.authenticate(req('/api/v1/namespaces/kube-public/configmaps')), undefined);
    // A bad token is a 401 even where anonymous access would be allowed.
    assert.equal(await a.authenticate(req('/api/v1/namespaces/kube-public/configmaps/cluster-info', { authorization: 'Bearer bad' })), undefined);
  });

  it('with --anonymous-auth, requests without credentials are system:anonymous', async () => {
    const a = requestAuthenticator({ peer: peerAuthenticator, tokens, anonymous: true });
    assert.deepEqual(await a.authenticate(req('/api')), { username: 'system:anonymous', groups: ['system:unauthenticated'] });
  });
});
