import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evalAny } from '../cel.ts';

const v = (e: string) => evalAny(e, {});

describe('CEL regex library', () => {
  it('find returns the leftmost match or an empty string', () => {
    assert.equal(v("'abc 123'.find('[0-9]+')"), '123');
    assert.equal(v("'abc 123'.find('xyz')"), '');
    // Go semantics: the leftmost match of [0-9]* is the empty string at 0.
    assert.equal(v("'abc 123'.find('[0-9]*')"), '');
  });
  it('findAll with and without a limit', () => {
    assert.deepEqual(v("'123 abc 456'.findAll('[0-9]+')"), ['123', '456']);
    assert.deepEqual(v("'123 abc 456'.findAll('[0-9]+', 1)"), ['123']);
    assert.deepEqual(v("'123 abc 456'.findAll('[0-9]+', 0)"), []);
    assert.deepEqual(v("'123 abc 456'.findAll('[0-9]+', -1)"), ['123', '456']);
    assert.deepEqual(v("'123 abc 456'.findAll('xyz')"), []);
    // Empty matches abutting a previous match are skipped, as Go's FindAllString does.
    assert.deepEqual(v("'12a'.findAll('[0-9]*')"), ['12', '']);
  });
  it('an illegal pattern is an evaluation error', () => {
    assert.throws(() => v("'abc'.find('(')"), /Illegal regex/);
    assert.throws(() => v("'abc'.findAll('[')"), /Illegal regex/);
  });
});
