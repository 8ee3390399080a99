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
  it('runs on RE2: a nested quantifier on a long non-matching string answers at once', () => {
    // A backtracking engine needs ~2^40 steps here; RE2 is linear in the input.
    const s = `'${'a'.repeat(40)}b'`;
    assert.equal(v(`${s}.matches('^(a+)+$')`), false);
    assert.equal(v(`${s}.find('(a|aa)+$')`), '');
    assert.deepEqual(v(`${s}.findAll('(a*)*b')`), [`${'a'.repeat(40)}b`]);
  });
  it('matches follows Go regexp syntax, receiver and global forms alike', () => {
    assert.equal(v("'ABC'.matches('(?i)^abc$')"), true);
    assert.equal(v("matches('web-0', '^web-[0-9]+$')"), true);
    assert.equal(v("'web-x'.matches('^web-[0-9]+$')"), false);
    // Perl look-around is not RE2: an error, as upstream, where a JavaScript RegExp would accept it.
    assert.throws(() => v("'abc'.matches('a(?=b)')"), /error parsing regexp: invalid or unsupported Perl syntax/);
    assert.throws(() => v("'abc'.find('a(?=b)')"), /Illegal regex: error parsing regexp/);
    // Inside a macro and a string that spells the name, only the call is renamed.
    assert.equal(v("['a1', 'b2'].all(x, x.matches('^[a-z][0-9]$')) && 'matches(' == 'matches('"), true);
  });
  it('findAll steps over empty matches by code point', () => {
    assert.deepEqual(v("'a😀b'.findAll('')"), ['', '', '', '']);
    assert.deepEqual(v("'😀😀'.findAll('😀')"), ['😀', '😀']);
  });
});
