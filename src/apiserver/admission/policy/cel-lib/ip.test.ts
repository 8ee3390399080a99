import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evalAny, evalBool } from '../cel.ts';

const v = (e: string) => evalAny(e, {});
const t = (e: string) => assert.equal(evalBool(e, {}), true, e);

describe('CEL IP library', () => {
  it('ip() and isIP follow netip.ParseAddr, refusing zones, mapped addresses and leading zeros', () => {
    t("isIP('127.0.0.1') && isIP('::1') && isIP('2001:db8::1.2.3.4')");
    t("!isIP('127.0.0.256') && !isIP(':::1') && !isIP('fe80::1%eth0') && !isIP('::ffff:1.2.3.4') && !isIP('01.2.3.4') && !isIP('1.2.3')");
    assert.throws(() => v("ip('127.0.0.256')"), /IP Address "127.0.0.256" parse error during conversion from string: ParseAddr\("127.0.0.256"\): IPv4 field has value >255/);
    assert.throws(() => v("ip(':::1')"), /parse error during conversion from string/);
    assert.throws(() => v("ip('fe80::1%eth0')"), /IP address "fe80::1%eth0" with zone value is not allowed/);
    assert.throws(() => v("ip('::ffff:1.2.3.4')"), /IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed/);
  });
  it('string() gives the canonical form; ip.isCanonical compares with it', () => {
    assert.equal(v("string(ip('1.2.3.4'))"), '1.2.3.4');
    assert.equal(v("string(ip('2001:DB8:0:0:0::ABCD'))"), '2001:db8::abcd');
    assert.equal(v("string(ip('2001:db8:0:1:0:0:0:1'))"), '2001:db8:0:1::1');
    assert.equal(v("string(ip('1:0:0:2:0:0:0:3'))"), '1:0:0:2::3');
    assert.equal(v("string(ip('::'))"), '::');
    assert.equal(v("string(ip('1:2:3:4:5:6:7:0'))"), '1:2:3:4:5:6:7:0');
    t("ip.isCanonical('127.0.0.1')");
    t("ip.isCanonical('2001:db8::abcd')");
    t("!ip.isCanonical('2001:DB8::ABCD')");
    t("!ip.isCanonical('2001:db8::0:0:0:abcd')");
    t("ip('::1') == ip('0:0:0:0:0:0:0:1') && ip('1.2.3.4') != ip('1.2.3.5')");
  });
  it('family and address classes', () => {
    t("ip('127.0.0.1').family() == 4 && ip('::1').family() == 6");
    t("ip('0.0.0.0').isUnspecified() && !ip('127.0.0.1').isUnspecified() && ip('::').isUnspecified() && !ip('::1').isUnspecified()");
    t("ip('127.0.0.1').isLoopback() && !ip('192.168.0.1').isLoopback() && ip('::1').isLoopback() && !ip('2001:db8::abcd').isLoopback()");
    t("ip('224.0.0.1').isLinkLocalMulticast() && !ip('224.0.1.1').isLinkLocalMulticast() && ip('ff02::1').isLinkLocalMulticast() && !ip('fd00::1').isLinkLocalMulticast()");
    t("ip('169.254.169.254').isLinkLocalUnicast() && !ip('192.168.0.1').isLinkLocalUnicast() && ip('fe80::1').isLinkLocalUnicast() && !ip('fd80::1').isLinkLocalUnicast()");
    t("ip('192.168.0.1').isGlobalUnicast() && !ip('255.255.255.255').isGlobalUnicast() && ip('2001:db8::abcd').isGlobalUnicast() && !ip('ff00::1').isGlobalUnicast()");
  });
});
