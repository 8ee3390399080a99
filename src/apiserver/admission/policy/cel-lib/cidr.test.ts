import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evalAny, evalBool } from '../cel.ts';

const v = (e: string) => evalAny(e, {});
const t = (e: string) => assert.equal(evalBool(e, {}), true, e);

describe('CEL CIDR library', () => {
  it('cidr() and isCIDR follow netip.ParsePrefix', () => {
    t("isCIDR('192.168.0.0/16') && isCIDR('::1/128')");
    t("!isCIDR('192.168.0.0/33') && !isCIDR('::1/129') && !isCIDR('192.168.0.0') && !isCIDR('::ffff:1.2.3.4/24')");
    assert.throws(
      () => v("cidr('192.168.0.0/33')"),
      /network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix\("192.168.0.0\/33"\): prefix length out of range/,
    );
    assert.throws(() => v("cidr('::1/129')"), /prefix length out of range/);
    assert.throws(() => v("cidr('::ffff:1.2.3.4/24')"), /IPv4-mapped IPv6 address "::ffff:1.2.3.4\/24" is not allowed/);
  });
  it('containsIP and containsCIDR, with strings or values', () => {
    t("cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))");
    t("!cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))");
    t("cidr('192.168.0.0/24').containsIP('192.168.0.1')");
    t("!cidr('192.168.0.0/24').containsIP('192.168.1.1')");
    t("!cidr('192.168.0.0/24').containsIP('::1')");
    t("cidr('2001:db8::/32').containsIP('2001:db8:1::1')");
    t("cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24'))");
    t("!cidr('192.168.1.0/24').containsCIDR(cidr('192.168.2.0/24'))");
    t("cidr('192.168.0.0/16').containsCIDR('192.168.10.0/24')");
    t("!cidr('192.168.1.0/24').containsCIDR('192.168.2.0/24')");
    t("!cidr('192.168.0.0/24').containsCIDR('192.168.0.0/16')");
    assert.throws(() => v("cidr('10.0.0.0/8').containsIP('x')"), /parse error/);
  });
  it('ip(), masked(), prefixLength() and string()', () => {
    t("cidr('192.168.0.1/24').ip() == ip('192.168.0.1')");
    t("cidr('192.168.0.1/24').ip().family() == 4");
    t("cidr('::1/128').ip() == ip('::1') && cidr('::1/128').ip().family() == 6");
    t("cidr('192.168.0.0/24').masked() == cidr('192.168.0.0/24')");
    t("cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')");
    t("cidr('192.168.0.0/24') == cidr('192.168.0.0/24').masked()");
    t("cidr('192.168.0.1/24') != cidr('192.168.0.1/24').masked()");
    t("cidr('192.168.0.0/16').prefixLength() == 16 && cidr('::1/128').prefixLength() == 128");
    assert.equal(v("string(cidr('2001:DB8::1/64').masked())"), '2001:db8::/64');
    assert.equal(v("string(cidr('10.1.2.3/12'))"), '10.1.2.3/12');
    assert.equal(v("string(cidr('10.1.2.3/12').masked())"), '10.0.0.0/12');
  });
});
