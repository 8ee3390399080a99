import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kubeletAddressAllowed } from './pod-proxy.ts';

test('kubelets are dialled only at loopback or inside --kubelet-address-cidrs', () => {
  assert.ok(kubeletAddressAllowed('127.0.0.1', []));
  assert.ok(kubeletAddressAllowed('127.4.5.6', []));
  assert.ok(kubeletAddressAllowed('::1', []));
  assert.ok(!kubeletAddressAllowed('10.200.0.3', []));
  assert.ok(!kubeletAddressAllowed('192.168.1.4', ['10.0.0.0/8']));
  assert.ok(kubeletAddressAllowed('10.99.0.4', ['10.99.0.0/16']));
  assert.ok(!kubeletAddressAllowed('10.200.0.3', ['10.99.0.0/16']));
  assert.ok(!kubeletAddressAllowed('example.com', ['0.0.0.0/0']));
  assert.ok(kubeletAddressAllowed('8.8.8.8', ['0.0.0.0/0']));
});
