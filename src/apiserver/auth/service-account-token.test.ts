import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { KubeObject } from '../../api/object.ts';
import { ServiceAccountTokens, type ObjectLookup } from './service-account-token.ts';

const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function world() {
  const objects = new Map<string, KubeObject>();
  const put = (resource: string, ns: string, name: string, uid: string, extra: Record<string, unknown> = {}) =>
    objects.set(`${resource}/${ns}/${name}`, { metadata: { name, namespace: ns, uid, ...extra } } as KubeObject);
  const lookup: ObjectLookup = async (resource, ns, name) => objects.get(`${resource}/${ns}/${name}`);
  return { objects, put, lookup };
}

describe('ServiceAccount tokens', () => {
  const now = new Date('2026-01-01T00:00:00Z');

  it('issues upstream-shaped claims and verifies them as the ServiceAccount user', async () => {
    const w = world();
    w.put('serviceaccounts', 'ns1', 'builder', 'sa-uid');
    const t = new ServiceAccountTokens({ signingKeyPem: pem, lookup: w.lookup, now: () => now });
    const jwt = await t.issue({ namespace: 'ns1', serviceAccount: { name: 'builder', uid: 'sa-uid' }, audiences: t.defaultAudiences, expirationSeconds: 600 }, now);
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.iss, 'https://kubernetes.default.svc.cluster.local');
    assert.equal(claims.sub, 'system:serviceaccount:ns1:builder');
    assert.deepEqual(claims['kubernetes.io'], { namespace: 'ns1', serviceaccount: { name: 'builder', uid: 'sa-uid' } });
    assert.equal(claims.exp - claims.iat, 600);
    const user = await t.authenticateToken(jwt);
    assert.equal(user?.username, 'system:serviceaccount:ns1:builder');
    assert.equal(user?.uid, 'sa-uid');
    assert.deepEqual(user?.groups, ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated']);
  });

  it('rejects expired tokens, foreign audiences, and tokens whose ServiceAccount or pod is gone', async () => {
    const w = world();
    w.put('serviceaccounts', 'ns1', 'sa', 'u1');
    w.put('pods', 'ns1', 'p', 'pod-uid');
    let clock = now;
    const t = new ServiceAccountTokens({ signingKeyPem: pem, lookup: w.lookup, now: () => clock });
    const base = { namespace: 'ns1', serviceAccount: { name: 'sa', uid: 'u1' }, expirationSeconds: 600 };
    const bound = await t.issue({ ...base, audiences: t.defaultAudiences, pod: { name: 'p', uid: 'pod-uid' } }, now);
    assert.deepEqual((await t.authenticateToken(bound))?.extra?.['authentication.kubernetes.io/pod-uid'], ['pod-uid']);
    const foreign = await t.issue({ ...base, audiences: ['vault'] }, now);
    assert.equal(await t.authenticateToken(foreign), undefined);
    assert.ok(await t.verify(foreign, ['vault']));
    // The pod is recreated under the same name: a new uid, so the old token is dead.
    w.put('pods', 'ns1', 'p', 'other-uid');
    assert.equal(await t.authenticateToken(bound), undefined);
    const plain = await t.issue({ ...base, audiences: t.defaultAudiences }, now);
    clock = new Date(now.getTime() + 700_000);
    assert.equal(await t.authenticateToken(plain), undefined, 'expired');
    clock = now;
    w.objects.delete('serviceaccounts/ns1/sa');
    assert.equal(await t.authenticateToken(plain), undefined, 'ServiceAccount deleted');
  });

  it('ignores tokens of other issuers and garbage', async () => {
    const w = world();
    const t = new ServiceAccountTokens({ signingKeyPem: pem, lookup: w.lookup, issuer: 'https://a' });
    const other = new ServiceAccountTokens({ signingKeyPem: pem, lookup: w.lookup, issuer: 'https://b' });
    w.put('serviceaccounts', 'n', 's', 'u');
    const jwt = await other.issue({ namespace: 'n', serviceAccount: { name: 's', uid: 'u' }, audiences: ['https://a'], expirationSeconds: 600 }, new Date());
    assert.equal(await t.authenticateToken(jwt), undefined);
    assert.equal(await t.authenticateToken('abc.def'), undefined);
  });
});
