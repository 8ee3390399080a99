import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evalAny, evalBool, toCel } from '../cel.ts';

const t = (e: string, ctx = {}) => assert.equal(evalBool(e, ctx), true, e);

describe('CEL format library', () => {
  it('named formats validate to optional.none() when valid', () => {
    t("!format.dns1123Label().validate('my-label-name').hasValue()");
    t("!format.dns1123Subdomain().validate('apiextensions.k8s.io').hasValue()");
    t("!format.dns1035Label().validate('my-label-name').hasValue()");
    t("!format.qualifiedName().validate('apiextensions.k8s.io/v1beta1').hasValue()");
    t("!format.dns1123LabelPrefix().validate('my-label-prefix-').hasValue()");
    t("!format.dns1123SubdomainPrefix().validate('mysubdomain.prefix.-').hasValue()");
    t("!format.dns1035LabelPrefix().validate('my-label-prefix-').hasValue()");
    t("!format.labelValue().validate('my_value').hasValue()");
    t("!format.uri().validate('http://example.com').hasValue()");
    t("!format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()");
    t("!format.byte().validate('aGVsbG8=').hasValue()");
    t("!format.date().validate('2021-01-01').hasValue()");
    t("!format.datetime().validate('2021-01-01T00:00:00Z').hasValue()");
  });
  it('invalid strings give the problems as a list', () => {
    assert.deepEqual(evalAny("format.dns1123Label().validate('Not_A_Label').value()", {}), [
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    t("format.dns1035Label().validate('1abc').hasValue()");
    t("format.dns1123Label().validate('my-label-prefix-').hasValue()");
    assert.deepEqual(evalAny("format.uri().validate('../relative').value()", {}), ['parse "../relative": invalid URI for request']);
    assert.deepEqual(evalAny("format.uuid().validate('nope').value()", {}), ['does not match the UUID format']);
    assert.deepEqual(evalAny("format.byte().validate('a=b').value()", {}), ['invalid base64']);
    assert.deepEqual(evalAny("format.date().validate('2021-02-30').value()", {}), ['invalid date']);
    assert.deepEqual(evalAny("format.datetime().validate('2021-01-01').value()", {}), ['invalid datetime']);
  });
  it('format.named() finds a format by name or gives optional.none()', () => {
    t("format.named('dns1123Label').hasValue() && !format.named('nope').hasValue()");
    t("format.named('dns1123Label').value().validate(object.metadata.name).hasValue()", { object: toCel({ metadata: { name: 'UPPER' } }) });
    assert.equal(evalAny("format.dns1123Label().validate('UP').value().join('\\n').size() > 0", {}), true);
  });
});
