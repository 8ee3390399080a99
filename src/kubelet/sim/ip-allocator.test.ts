import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fallbackPodCidr, IPAllocator } from './ip-allocator.ts';

test('allocates from the pod CIDR, skipping network, gateway and broadcast, never twice', () => {
  const a = new IPAllocator('10.42.3.0/30');
  // A /30 has .0 network, .1 gateway, .2 usable, .3 broadcast.
  assert.equal(a.allocate('a'), '10.42.3.2');
  assert.equal(a.allocate('a'), '10.42.3.2', 'the same holder keeps its address');
  assert.equal(a.allocate('b'), undefined, 'range exhausted');
  a.release('a');
  assert.equal(a.allocate('b'), '10.42.3.2');
});

test('reserved addresses are not handed out again', () => {
  const a = new IPAllocator('10.42.0.0/24');
  a.reserve('10.42.0.2', 'old');
  a.reserve('192.168.0.5', 'elsewhere');
  assert.equal(a.size, 1);
  const ips = new Set<string>();
  for (let i = 0; i < 252; i++) ips.add(a.allocate(`p${i}`)!);
  assert.equal(ips.size, 252);
  assert.ok(!ips.has('10.42.0.2') && !ips.has('10.42.0.0') && !ips.has('10.42.0.1') && !ips.has('10.42.0.255'));
  assert.equal(a.allocate('one-too-many'), undefined);
});

test('fallback ranges are distinct /24s per node index', () => {
  assert.equal(fallbackPodCidr(0), '10.128.0.0/24');
  assert.equal(fallbackPodCidr(257), '10.129.1.0/24');
  assert.throws(() => new IPAllocator('10.0.0.0'), /CIDR/);
});
