import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import type { Client } from '../../client/rest.ts';
import { StatusError } from '../../machinery/status.ts';
import { ServiceAccountTokenManager } from './service-account-token.ts';

/** A client whose only call is TokenRequest; records requests and can fail on demand. */
function fakeClient(clock: { now: number }) {
  const calls: { name: string; namespace?: string; body: TokenRequest }[] = [];
  let fail = false;
  const client = {
    resource: () => ({
      async createSubresource(name: string, sub: string, body: TokenRequest, namespace?: string) {
        assert.equal(sub, 'token');
        calls.push({ name, namespace, body });
        if (fail) throw StatusError.forbidden({ group: '', resource: 'serviceaccounts' }, name, 'no');
        const exp = body.spec.expirationSeconds!;
        return { ...body, status: { token: `t${calls.length}`, expirationTimestamp: new Date(clock.now + exp * 1000).toISOString() } };
      },
    }),
  } as unknown as Client;
  return { client, calls, setFail: (f: boolean) => (fail = f) };
}

const spec = (exp: number, uid = 'u1') => ({ audiences: [], expirationSeconds: exp, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid } });

describe('kubelet token manager', () => {
  it('caches a token until 80% of its lifetime has passed', async () => {
    const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
    const f = fakeClient(clock);
    const m = new ServiceAccountTokenManager(f.client, () => clock.now, () => 0);
    assert.equal(await m.getToken('ns', 'default', spec(3600)), 't1');
    clock.now += 2800_000;
    assert.equal(await m.getToken('ns', 'default', spec(3600)), 't1');
    clock.now += 100_000; // 2900 s > 80% of 3600 s
    assert.equal(await m.getToken('ns', 'default', spec(3600)), 't2');
    assert.deepEqual(f.calls.map((c) => [c.namespace, c.name]), [['ns', 'default'], ['ns', 'default']]);
  });

  it('keys the cache by bound pod and refreshes long-lived tokens after 24 hours', async () => {
    const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
    const f = fakeClient(clock);
    const m = new ServiceAccountTokenManager(f.client, () => clock.now, () => 0);
    assert.equal(await m.getToken('ns', 'default', spec(7 * 86400, 'a')), 't1');
    assert.equal(await m.getToken('ns', 'default', spec(7 * 86400, 'b')), 't2');
    clock.now += 86400_000 + 1;
    assert.equal(await m.getToken('ns', 'default', spec(7 * 86400, 'a')), 't3');
  });

  it('keeps a still-valid token when a refresh fails, and fails once it has expired', async () => {
    const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
    const f = fakeClient(clock);
    const m = new ServiceAccountTokenManager(f.client, () => clock.now, () => 0);
    assert.equal(await m.getToken('ns', 'default', spec(1000)), 't1');
    f.setFail(true);
    clock.now += 900_000;
    assert.equal(await m.getToken('ns', 'default', spec(1000)), 't1');
    clock.now += 200_000;
    await assert.rejects(m.getToken('ns', 'default', spec(1000)), /forbidden/);
  });
});
