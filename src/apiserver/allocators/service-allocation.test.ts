import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { fieldErrorMessage, type FieldError } from '../../api/field-error.ts';
import type { KubeObject } from '../../api/object.ts';
import type { WriteTransaction } from '../registry/generic/store.ts';
import { IPAllocator } from './ip-allocator.ts';
import { PortAllocator } from './port-allocator.ts';
import { ServiceAllocator } from './service-allocation.ts';

type S = Service & KubeObject;
const svc = (spec: S['spec'], name = 'a'): S => ({ metadata: { name, namespace: 'default' }, spec: structuredClone(spec) });
const fresh = () => new ServiceAllocator(new IPAllocator('10.43.0.0/16'), new PortAllocator('30000-32767'));
const ok = (r: WriteTransaction | FieldError[]): WriteTransaction => {
  assert.ok(!Array.isArray(r), Array.isArray(r) ? r.map(fieldErrorMessage).join('; ') : '');
  return r as WriteTransaction;
};
const errs = (r: WriteTransaction | FieldError[]): string[] => {
  assert.ok(Array.isArray(r), 'expected field errors');
  return (r as FieldError[]).map((e) => `${e.field}: ${fieldErrorMessage(e)}`);
};

test('ip allocator: range bounds, first address, exhaustion', () => {
  const ips = new IPAllocator('10.43.0.0/29');
  assert.equal(ips.firstIP, '10.43.0.1');
  assert.equal(ips.contains('10.43.0.0'), false, 'network address');
  assert.equal(ips.contains('10.43.0.7'), false, 'broadcast address');
  const got = new Set(Array.from({ length: 5 }, () => ips.allocateNext()));
  assert.equal(got.size, 5);
  assert.equal(got.has('10.43.0.1'), false, 'the first address is only given on request');
  assert.throws(() => ips.allocateNext(), /range is full/);
  ips.allocate('10.43.0.1');
  assert.throws(() => ips.allocate('10.43.0.1'), /provided IP is already allocated/);
  assert.throws(() => ips.allocate('10.44.0.1'), /not in the valid range. The range of valid IPs is 10.43.0.0\/29/);
});

test('explicit clusterIP conflicts use upstream message; revert and delete release', () => {
  const a = fresh();
  const first = svc({ clusterIP: '10.43.0.10', ports: [{ port: 80 }] });
  ok(a.beginCreate(first)).commit();
  assert.deepEqual(first.spec?.clusterIPs, ['10.43.0.10']);
  assert.deepEqual(errs(a.beginCreate(svc({ clusterIP: '10.43.0.10', ports: [{ port: 80 }] }))), [
    'spec.clusterIPs: Invalid value: []string{"10.43.0.10"}: failed to allocate IP 10.43.0.10: provided IP is already allocated',
  ]);
  const reverted = svc({ clusterIP: '10.43.0.11', ports: [{ port: 80 }] });
  ok(a.beginCreate(reverted)).revert();
  assert.equal(a.ips.isAllocated('10.43.0.11'), false);
  a.deleted(first);
  assert.equal(a.ips.isAllocated('10.43.0.10'), false);
});

test('headless services hold no address; node ports are allocated and checked', () => {
  const a = fresh();
  const h = svc({ clusterIP: 'None' });
  ok(a.beginCreate(h)).commit();
  assert.equal(h.spec?.clusterIP, 'None');
  assert.equal(a.ips.used, 0);
  const np = svc({ type: 'NodePort', ports: [{ port: 80 }, { port: 81, nodePort: 30080 }] });
  ok(a.beginCreate(np)).commit();
  const auto = np.spec!.ports![0]!.nodePort!;
  assert.ok(auto >= 30000 && auto <= 32767 && auto !== 30080);
  assert.deepEqual(errs(a.beginCreate(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))), [
    'spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
  ]);
  assert.deepEqual(errs(a.beginCreate(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }))), [
    'spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
  ]);
  // The failed attempts left nothing taken.
  assert.equal(a.ports.used, 2);
});

test('type changes: NodePort to ClusterIP releases ports, ExternalName drops the address and back', () => {
  const a = fresh();
  const np = svc({ type: 'NodePort', ports: [{ port: 80 }] });
  ok(a.beginCreate(np)).commit();
  const ip = np.spec!.clusterIP!;
  const toCip = structuredClone(np);
  toCip.spec!.type = 'ClusterIP';
  ok(a.beginUpdate(toCip, np)).commit();
  assert.equal(toCip.spec!.ports![0]!.nodePort, undefined);
  assert.equal(toCip.spec!.clusterIP, ip);
  assert.equal(a.ports.used, 0);
  const toExt = structuredClone(toCip);
  toExt.spec = { ...toExt.spec, type: 'ExternalName', externalName: 'example.com' };
  ok(a.beginUpdate(toExt, toCip)).commit();
  assert.equal(toExt.spec!.clusterIP, undefined);
  assert.equal(a.ips.isAllocated(ip), false);
  const back = structuredClone(toExt);
  back.spec = { ...back.spec, type: 'ClusterIP' };
  delete back.spec.externalName;
  ok(a.beginUpdate(back, toExt)).commit();
  assert.ok(a.ips.isAllocated(back.spec!.clusterIP!));
});

test('restore marks what stored services hold', () => {
  const a = fresh();
  a.restore([svc({ clusterIP: '10.43.0.1', ports: [{ port: 443 }] }), svc({ type: 'NodePort', clusterIP: '10.43.1.1', ports: [{ port: 80, nodePort: 31000 }] }, 'b')]);
  assert.ok(a.ips.isAllocated('10.43.0.1') && a.ips.isAllocated('10.43.1.1') && a.ports.isAllocated(31000));
});
