import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evalAny, evalBool, toCel } from '../cel.ts';

const t = (e: string) => assert.equal(evalBool(e, {}), true, e);

describe('CEL quantity library', () => {
  it('parses quantities and refuses bad ones with upstream\'s error', () => {
    t("isQuantity('1.3G') && isQuantity('1.3Gi') && isQuantity('10000k')");
    t("!isQuantity('1,3G') && !isQuantity('200K') && !isQuantity('Three') && !isQuantity('Mi')");
    assert.equal(evalAny("type(quantity('1.5G'))", {}) !== undefined, true);
    for (const bad of ['200K', 'Three', 'Mi'])
      assert.throws(() => evalAny(`quantity('${bad}')`, {}), /quantities must match the regular expression/);
  });
  it('converts to integers and floats', () => {
    t('quantity("50000000G").isInteger()');
    t('quantity("50k").isInteger()');
    t('!quantity("9999999999999999999999999999999999999G").isInteger()');
    assert.throws(() => evalAny('quantity("9999999999999999999999999999999999999G").asInteger()', {}), /cannot convert value to integer/);
    t('!quantity("1.5").isInteger()');
    t('quantity("50k").asInteger() == 50000');
    t('quantity("50k").sub(20000).asApproximateFloat() == 30000.0');
    t('quantity("500m").asApproximateFloat() == 0.5');
  });
  it('arithmetic and sign', () => {
    t('quantity("50k").add(quantity("20k")) == quantity("70k")');
    t('quantity("50k").add(20) == quantity("50020")');
    t('quantity("50k").sub(quantity("20k")) == quantity("30k")');
    t('quantity("50k").sub(20000) == quantity("30k")');
    t('quantity("50k").add(20).sub(quantity("100k")).sub(-50000) == quantity("20")');
    t('quantity("1").mul(3) == quantity("3000m")');
    t('quantity("-5").sign() == -1 && sign(quantity("0")) == 0 && quantity("1m").sign() == 1');
    t('quantity("1") != quantity("2")');
  });
  it('comparisons', () => {
    t('quantity("200M").compareTo(quantity("0.2G")) == 0');
    t('quantity("50M").compareTo(quantity("50Mi")) == -1');
    t('quantity("50Mi").compareTo(quantity("50M")) == 1');
    t('quantity("150Mi").isGreaterThan(quantity("100Mi"))');
    t('!quantity("50Mi").isGreaterThan(quantity("100Mi"))');
    t('quantity("50M").isLessThan(quantity("100M"))');
    t('!quantity("100M").isLessThan(quantity("50M"))');
    t("quantity('1Gi').isGreaterThan(quantity('500Mi'))");
  });
  it('works on object fields and type-checks quantity arguments', () => {
    const object = toCel({ spec: { containers: [{ resources: { limits: { memory: '2Gi' } } }] } });
    assert.equal(evalBool("quantity(object.spec.containers[0].resources.limits.memory).isLessThan(quantity('1Gi'))", { object }), false);
    assert.throws(() => evalAny("quantity('1').isGreaterThan(1)", {}), /no matching overload/);
    assert.throws(() => evalAny('quantity(1)', {}), /overload/);
  });
});
