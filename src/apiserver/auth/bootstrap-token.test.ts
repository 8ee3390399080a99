import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.ts';
import { bootstrapTokenAuthenticator, bootstrapTokenSecret, generateBootstrapToken, parseBootstrapToken, signDetached, verifyDetached } from './bootstrap-token.ts';

describe('bootstrap tokens', () => {
  it('generates and parses <id>.<secret> tokens', () => {
    const t = generateBootstrapToken();
    assert.match(`${t.id}.${t.secret}`, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    assert.deepEqual(parseBootstrapToken(`${t.id}.${t.secret}`), t);
    assert.equal(parseBootstrapToken('ABCDEF.0123456789abcdef'), undefined);
  });

  it('authenticates against its Secret: system:bootstrap:<id> in system:bootstrappers, until expiry', async () => {
    const t = { id: 'abcdef', secret: '0123456789abcdef' };
    let secret: KubeObject | undefined = bootstrapTokenSecret(t, { extraGroups: ['system:bootstrappers:x', 'evil'], expiration: new Date('2030-01-01T00:00:00Z') }) as KubeObject;
    let now = new Date('2029-01-01T00:00:00Z');
    const auth = bootstrapTokenAuthenticator(async (ns, name) => (ns === 'kube-system' && name === 'bootstrap-token-abcdef' ? secret : undefined), () => now);
    assert.deepEqual(await auth.authenticateToken('abcdef.0123456789abcdef'), {
      username: 'system:bootstrap:abcdef',
      groups: ['system:bootstrappers', 'system:bootstrappers:x', 'system:authenticated'],
    });
    assert.equal(await auth.authenticateToken('abcdef.0123456789abcdee'), undefined, 'wrong secret');
    now = new Date('2031-01-01T00:00:00Z');
    assert.equal(await auth.authenticateToken('abcdef.0123456789abcdef'), undefined, 'expired');
    now = new Date('2029-01-01T00:00:00Z');
    secret = undefined;
    assert.equal(await auth.authenticateToken('abcdef.0123456789abcdef'), undefined, 'secret deleted');
  });

  it('signs cluster-info with a detached JWS only the token holder can verify', async () => {
    const t = { id: 'abcdef', secret: '0123456789abcdef' };
    const sig = await signDetached('kubeconfig text', t);
    assert.match(sig, /^[\w-]+\.\.[\w-]+$/);
    assert.equal(await verifyDetached('kubeconfig text', sig, t), true);
    assert.equal(await verifyDetached('kubeconfig text!', sig, t), false);
    assert.equal(await verifyDetached('kubeconfig text', sig, { id: 'abcdef', secret: 'ffffffffffffffff' }), false);
  });
});
