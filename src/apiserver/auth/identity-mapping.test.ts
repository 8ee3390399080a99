import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.ts';
import { applyIdentityMappings, mappedTokenAuthenticator } from './identity-mapping.ts';

const data = {
  mapUsers: '- externalUser: "https://idp#ann"\n  username: ann\n  groups: [admins]\n',
  mapGroups: '- externalGroup: "oidc:platform"\n  groups: [platform-team, viewers]\n',
};

describe('identity mappings', () => {
  it('maps a user to a username and groups, and external groups to more groups', () => {
    assert.deepEqual(applyIdentityMappings({ username: 'https://idp#ann', groups: ['oidc:platform', 'system:authenticated'] }, data), {
      username: 'ann',
      groups: ['oidc:platform', 'admins', 'platform-team', 'viewers', 'system:authenticated'],
    });
    assert.deepEqual(applyIdentityMappings({ username: 'bob', groups: ['system:authenticated'] }, data), { username: 'bob', groups: ['system:authenticated'] });
  });

  it('wraps a token authenticator; without the ConfigMap identities pass through', async () => {
    let cm: KubeObject | undefined;
    const auth = mappedTokenAuthenticator({ authenticateToken: async () => ({ username: 'https://idp#ann', groups: ['system:authenticated'] }) }, async () => cm);
    assert.equal((await auth.authenticateToken('t'))?.username, 'https://idp#ann');
    cm = { metadata: { name: 'identity-mappings' }, data } as KubeObject;
    assert.equal((await auth.authenticateToken('t'))?.username, 'ann');
  });

  it('ignores malformed mapping text', () => {
    assert.deepEqual(applyIdentityMappings({ username: 'x', groups: [] }, { mapUsers: ': : :' }), { username: 'x', groups: ['system:authenticated'] });
  });
});
