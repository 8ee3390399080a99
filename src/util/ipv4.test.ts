import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstHost, inCidr, intToIp, ipToInt, isIPv4Cidr } from './ipv4.ts';

test('dotted quads to integers and back', () => {
  assert.equal(ipToInt('10.42.1.7'), 0x0a2a0107);
  assert.equal(intToIp(0xffffffff), '255.255.255.255');
  assert.throws(() => ipToInt('10.42.1'), /bad IPv4/);
  assert.throws(() => ipToInt('10.42.1.256'), /bad IPv4/);
});

test('CIDR membership, false for anything malformed', () => {
  assert.ok(inCidr('10.42.3.9', '10.42.0.0/16'));
  assert.ok(!inCidr('10.43.0.1', '10.42.0.0/16'));
  assert.ok(inCidr('192.0.2.1', '0.0.0.0/0'));
  assert.ok(inCidr('127.0.0.1', '127.0.0.1/32'));
  for (const [a, c] of [['fd00::1', '10.0.0.0/8'], ['10.0.0.1', '10.0.0.0/33'], ['10.0.0.1', 'fd00::/64'], ['10.0.0.1', '10.0.0.0']]) assert.ok(!inCidr(a!, c!), `${a} in ${c}`);
});

test('IPv4 CIDRs are told from anything else', () => {
  assert.ok(isIPv4Cidr('10.42.0.0/16') && isIPv4Cidr('0.0.0.0/0'));
  for (const c of ['10.42.0.0', '10.42.0.0/33', 'fd00::/64', '10.42.0/16', '']) assert.ok(!isIPv4Cidr(c), c);
});

test('the first host of a CIDR (a podCIDR → its gateway)', () => {
  assert.equal(firstHost('10.42.1.0/24'), '10.42.1.1');
  assert.equal(firstHost('10.42.1.77/24'), '10.42.1.1');
  assert.equal(firstHost('10.42.0.0/16'), '10.42.0.1');
  assert.equal(firstHost('10.42.1.4/31'), undefined);
  assert.equal(firstHost('fd00::/64'), undefined);
});
