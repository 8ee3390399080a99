import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLabelSelector, selectorFromLabelSelector, selectorFromSet } from './labels.ts';
import { StatusError } from './status.ts';

function parseError(s: string): string {
  try {
    parseLabelSelector(s);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(s)} to be rejected`);
}

describe('parseLabelSelector', () => {
  it('parses every operator and prints the canonical form sorted by key', () => {
    const sel = parseLabelSelector('z=1, y==2 ,x!=3,w in (b,a),v notin (c), u, !t, s>5, r<7');
    assert.equal(sel.toString(), 'r<7,s>5,!t,u,v notin (c),w in (a,b),x!=3,y==2,z=1');
    assert.equal(sel.requirements.length, 9);
  });

  it('matches like upstream', () => {
    const sel = parseLabelSelector('app=web,tier in (fe,be),!legacy,env notin (prod)');
    assert.equal(sel.matches({ app: 'web', tier: 'fe' }), true);
    assert.equal(sel.matches({ app: 'web', tier: 'fe', env: 'dev' }), true);
    assert.equal(sel.matches({ app: 'web', tier: 'fe', env: 'prod' }), false);
    assert.equal(sel.matches({ app: 'web', tier: 'db' }), false);
    assert.equal(sel.matches({ app: 'web', tier: 'fe', legacy: '' }), false);
    assert.equal(sel.matches(undefined), false);
  });

  it('treats != and notin as true when the key is absent, exists as presence', () => {
    assert.equal(parseLabelSelector('a!=x').matches({}), true);
    assert.equal(parseLabelSelector('a').matches({ a: '' }), true);
    assert.equal(parseLabelSelector('a').matches({ b: '' }), false);
    assert.equal(parseLabelSelector('a=').matches({ a: '' }), true);
  });

  it('compares gt/lt numerically', () => {
    assert.equal(parseLabelSelector('n>5').matches({ n: '10' }), true);
    assert.equal(parseLabelSelector('n>5').matches({ n: '3' }), false);
    assert.equal(parseLabelSelector('n<5').matches({ n: 'x' }), false);
  });

  it('accepts empty and whitespace-only selectors as everything', () => {
    for (const s of ['', '   ']) {
      const sel = parseLabelSelector(s);
      assert.equal(sel.everything, true);
      assert.equal(sel.matches({}), true);
    }
  });

  it('allows in/notin as values and empty set members', () => {
    assert.deepEqual(parseLabelSelector('x in (in,notin)').requirements[0]!.values, ['in', 'notin']);
    assert.deepEqual(parseLabelSelector('x in (foo,,baz)').requirements[0]!.values, ['', 'baz', 'foo']);
    assert.deepEqual(parseLabelSelector('x in ()').requirements[0]!.values, ['']);
  });

  it('accepts prefixed keys', () => {
    const sel = parseLabelSelector('app.kubernetes.io/name=web');
    assert.equal(sel.requiresExactMatch('app.kubernetes.io/name'), 'web');
  });

  it('reports upstream messages', () => {
    assert.equal(parseError('x in b'), "unable to parse requirement: found 'b' expected: '('");
    assert.equal(parseError('x=a b'), "found 'b', expected: ',' or 'end of string'");
    assert.equal(parseError('a,'), "found '', expected: identifier after ','");
    assert.equal(parseError(',a'), "found ',', expected: !, identifier, or 'end of string'");
    assert.equal(parseError('x in (a b)'), "unable to parse requirement: found 'b', expected: ',' or ')'");
    assert.equal(parseError('x foo y'), "unable to parse requirement: found 'foo', expected: in, notin, =, ==, !=, gt, lt");
    assert.equal(parseError('!x=y'), "found '=', expected: ',' or 'end of string'");
    assert.match(parseError('a@b=c'), /^unable to parse requirement: : Invalid value: "a@b": name part must consist of alphanumeric/);
    assert.match(parseError('a=b@c'), /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "b@c": a valid label must be an empty string/);
    assert.match(parseError(`a=${'x'.repeat(64)}`), /must be no more than 63 characters/);
    assert.match(parseError('Foo.com/a=b'), /prefix part a lowercase RFC 1123 subdomain/);
    assert.match(parseError('n>x'), /for 'Gt', 'Lt' operators, the value must be an integer/);
  });
});

describe('selectorFromLabelSelector', () => {
  it('distinguishes nil (nothing) from empty (everything)', () => {
    const nil = selectorFromLabelSelector(undefined);
    assert.equal(nil.nothing, true);
    assert.equal(nil.everything, false);
    assert.equal(nil.matches({ a: 'b' }), false);
    const empty = selectorFromLabelSelector({});
    assert.equal(empty.everything, true);
    assert.equal(empty.matches({}), true);
  });

  it('combines matchLabels and matchExpressions', () => {
    const sel = selectorFromLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['fe', 'be'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    assert.equal(sel.toString(), 'app=web,env notin (prod),!legacy,team,tier in (be,fe)');
    assert.equal(sel.matches({ app: 'web', tier: 'be', team: 'x' }), true);
    assert.equal(sel.matches({ app: 'web', tier: 'be' }), false);
  });

  it('rejects bad operators and empty In values', () => {
    assert.throws(
      () => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }),
      (e: unknown) => e instanceof StatusError && e.message === '"Gt" is not a valid label selector operator',
    );
    assert.throws(
      () => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
      /values set can't be empty/,
    );
  });
});

describe('selectorFromSet', () => {
  it('matches exactly the given labels', () => {
    const sel = selectorFromSet({ b: '2', a: '1' });
    assert.equal(sel.toString(), 'a=1,b=2');
    assert.equal(sel.matches({ a: '1', b: '2', c: '3' }), true);
    assert.equal(sel.matches({ a: '1' }), false);
    assert.equal(selectorFromSet({}).everything, true);
  });
});
