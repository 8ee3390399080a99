import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evalAny, evalBool, toCel } from '../cel.ts';

const t = (e: string, ctx = {}) => assert.equal(evalBool(e, ctx), true, e);

describe('CEL lists library', () => {
  it('isSorted', () => {
    t('[1, 2, 3].isSorted()');
    t("['a', 'b', 'b', 'c'].isSorted()");
    t('![2.0, 1.0].isSorted()');
    t('[1].isSorted() && [].isSorted()');
    t("[quantity('1')].size() == 1");
  });
  it('sum', () => {
    t('[1, 3].sum() == 4');
    t('[1.0, 3.0].sum() == 4.0');
    t("[duration('1m'), duration('1s')].sum() == duration('1m1s')");
    t('[].sum() == 0');
    t('[1u, 2u].sum() == 3u');
    t('object.l.sum() == 6', { object: toCel({ l: [1, 2, 3] }) });
  });
  it('min and max, with an error on an empty list', () => {
    t('[1, 3].min() == 1 && [1, 3].max() == 3');
    t('[1].min() == 1');
    t("['b', 'a', 'c'].max() == 'c'");
    assert.throws(() => evalAny('[].min()', {}), /min called on empty list/);
    assert.throws(() => evalAny('[].max()', {}), /max called on empty list/);
  });
  it('indexOf and lastIndexOf', () => {
    t('[1, 2, 2, 3].indexOf(2) == 1');
    t("['a', 'b', 'b', 'c'].lastIndexOf('b') == 2");
    t('[1.0].indexOf(1.1) == -1');
    t("[].indexOf('string') == -1");
    t("[quantity('1'), quantity('1000m')].lastIndexOf(quantity('1')) == 1");
    t("object.names.indexOf('b') == 1", { object: toCel({ names: ['a', 'b'] }) });
  });
});
