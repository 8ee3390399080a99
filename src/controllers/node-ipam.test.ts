import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet } from './node-ipam.ts';

describe('CidrSet', () => {
  it('hands out /24 blocks in order and skips occupied ones', () => {
    const s = new CidrSet('10.42.0.0/16');
    assert.equal(s.size, 256);
    assert.ok(s.occupy('10.42.1.0/24'));
    assert.equal(s.allocateNext(), '10.42.0.0/24');
    assert.equal(s.allocateNext(), '10.42.2.0/24');
  });
  it('rejects blocks outside the range or misaligned', () => {
    const s = new CidrSet('10.42.0.0/16');
    assert.equal(s.occupy('10.43.0.0/24'), false);
    assert.equal(s.occupy('10.42.0.128/24'), false);
    assert.equal(s.occupy('10.42.0.0/25'), false);
  });
  it('is exhausted, then reuses a released block', () => {
    const s = new CidrSet('192.168.0.0/23');
    assert.equal(s.allocateNext(), '192.168.0.0/24');
    assert.equal(s.allocateNext(), '192.168.1.0/24');
    assert.equal(s.allocateNext(), undefined);
    s.release('192.168.0.0/24');
    assert.equal(s.allocateNext(), '192.168.0.0/24');
  });
  it('normalises a cluster CIDR given with host bits', () => {
    assert.equal(new CidrSet('10.42.7.9/16').cidrAt(3), '10.42.3.0/24');
    assert.throws(() => new CidrSet('10.42.0.0/25'));
    assert.throws(() => new CidrSet('nonsense'));
  });
});
