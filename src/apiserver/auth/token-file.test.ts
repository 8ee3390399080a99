import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTokenFile, staticTokenAuthenticator } from './token-file.ts';

describe('static token file', () => {
  it('parses token,user,uid and quoted groups, skipping blanks and comments', async () => {
    const users = parseTokenFile('# comment\n\nt1,alice,1\nt2,bob,2,"a,b"\nt3,carol,3,ops\n');
    const auth = staticTokenAuthenticator(users);
    assert.deepEqual(await auth.authenticateToken('t1'), { username: 'alice', uid: '1', groups: ['system:authenticated'] });
    assert.deepEqual((await auth.authenticateToken('t2'))?.groups, ['a', 'b', 'system:authenticated']);
    assert.deepEqual((await auth.authenticateToken('t3'))?.groups, ['ops', 'system:authenticated']);
    assert.equal(await auth.authenticateToken('t4'), undefined);
    assert.equal(await auth.authenticateToken('t'), undefined);
  });

  it('rejects short rows and duplicate tokens', () => {
    assert.throws(() => parseTokenFile('t1,alice\n'), /at least 3 columns/);
    assert.throws(() => parseTokenFile('t1,a,1\nt1,b,2\n'), /duplicate token/);
  });
});
