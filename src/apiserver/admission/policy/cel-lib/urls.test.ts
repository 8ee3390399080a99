import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evalAny, evalBool } from '../cel.ts';

const v = (e: string) => evalAny(e, {});
const t = (e: string) => assert.equal(evalBool(e, {}), true, e);

describe('CEL URL library', () => {
  it('url() and isURL accept absolute URIs and absolute paths only', () => {
    t("isURL('https://user:pass@example.com:80/path?query=val#fragment')");
    t("isURL('/absolute-path')");
    t("!isURL('https://a:b:c/')");
    t("!isURL('../relative-path')");
    t("!isURL('')");
    assert.throws(() => v("url('https://a:b:c/')"), /URL parse error during conversion from string: parse "https:\/\/a:b:c\/": invalid port ":c" after host/);
    assert.throws(() => v("url('../relative-path')"), /invalid URI for request/);
  });
  it('getters', () => {
    assert.equal(v("url('/path').getScheme()"), '');
    assert.equal(v("url('https://example.com/').getScheme()"), 'https');
    assert.equal(v("url('https://example.com:80/').getHost()"), 'example.com:80');
    assert.equal(v("url('https://example.com/').getHost()"), 'example.com');
    assert.equal(v("url('https://[::1]:80/').getHost()"), '[::1]:80');
    assert.equal(v("url('https://[::1]/').getHost()"), '[::1]');
    assert.equal(v("url('/path').getHost()"), '');
    assert.equal(v("url('https://example.com:80/').getHostname()"), 'example.com');
    assert.equal(v("url('https://127.0.0.1:80/').getHostname()"), '127.0.0.1');
    assert.equal(v("url('https://[::1]:80/').getHostname()"), '::1');
    assert.equal(v("url('/path').getHostname()"), '');
    assert.equal(v("url('https://example.com:80/').getPort()"), '80');
    assert.equal(v("url('https://example.com/').getPort()"), '');
    assert.equal(v("url('/path').getPort()"), '');
    assert.equal(v("url('https://example.com/path').getEscapedPath()"), '/path');
    assert.equal(v("url('https://example.com/path with spaces/').getEscapedPath()"), '/path%20with%20spaces/');
    assert.equal(v("url('https://example.com').getEscapedPath()"), '');
    assert.equal(v("url('https://user:pass@example.com:80/path?query=val#fragment').getEscapedPath()"), '/path');
  });
  it('getQuery returns every value of a key, unescaped', () => {
    t("url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == {'k1': ['a'], 'k2': ['b', 'c']}");
    t("url('https://example.com/path?key with spaces=value with spaces').getQuery() == {'key with spaces': ['value with spaces']}");
    t("url('https://example.com/path?').getQuery() == {}");
    t("url('https://example.com/path').getQuery() == {}");
    t("url('https://example.com/p?a=1%2B2&b=x+y').getQuery()['a'][0] == '1+2'");
    t("url('https://example.com/p?a=1%2B2&b=x+y').getQuery().b == ['x y']");
  });
});
