import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { desiredSlices } from './desired.ts';
import { desiredSubsets } from '../endpoints.ts';

const svc = (extra: Partial<NonNullable<Service['spec']>> = {}): Service => ({
  metadata: { name: 'web', namespace: 'd' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...extra },
});
const pod = (name: string, ip: string | undefined, opts: { ready?: boolean; deleting?: boolean; port?: number; phase?: string } = {}): Pod => ({
  metadata: { name, namespace: 'd', uid: `u-${name}`, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: opts.port === undefined ? [] : [{ name: 'http', containerPort: opts.port }] }] },
  status: { phase: opts.phase ?? 'Running', podIP: ip, conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
});
const node = () => ({ metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z1' } } });

test('slices: conditions, named ports per pod, zone, placeholder, chunking', () => {
  const pods = [pod('a', '10.42.0.1', { port: 8080 }), pod('b', '10.42.0.2', { port: 9090, ready: false }), pod('c', '10.42.0.3', { port: 8080, deleting: true }), pod('d', undefined, { port: 8080 }), pod('e', '10.42.0.5', { port: 8080, phase: 'Succeeded' })];
  const slices = desiredSlices(svc(), pods, () => node(), 100);
  assert.equal(slices.length, 2, 'two port sets: 8080 and 9090');
  const s8080 = slices.find((s) => s.ports[0]?.port === 8080)!;
  assert.deepEqual(s8080.endpoints.map((e) => [e.addresses[0], e.conditions]), [
    ['10.42.0.1', { ready: true, serving: true, terminating: false }],
    ['10.42.0.3', { ready: false, serving: true, terminating: true }],
  ]);
  assert.equal(s8080.endpoints[0]!.zone, 'z1');
  const s9090 = slices.find((s) => s.ports[0]?.port === 9090)!;
  assert.deepEqual(s9090.endpoints[0]!.conditions, { ready: false, serving: false, terminating: false });
  assert.deepEqual(desiredSlices(svc({ publishNotReadyAddresses: true }), [pods[1]!], () => undefined, 100)[0]!.endpoints[0]!.conditions, { ready: true, serving: true, terminating: false });
  assert.deepEqual(desiredSlices(svc(), [], () => undefined, 100), [{ ports: [], endpoints: [] }]);
  const many = Array.from({ length: 250 }, (_, i) => pod(`p${String(i).padStart(3, '0')}`, `10.42.1.${i}`, { port: 8080 }));
  assert.deepEqual(desiredSlices(svc(), many, () => undefined, 100).map((s) => s.endpoints.length), [100, 100, 50]);
});

test('endpoints: ready vs notReady, terminating left out, repacked by port set', () => {
  const pods = [pod('a', '10.42.0.10', { port: 8080 }), pod('b', '10.42.0.9', { port: 8080, ready: false }), pod('c', '10.42.0.3', { port: 8080, deleting: true }), pod('x', '10.42.0.4')];
  const subsets = desiredSubsets(svc(), pods);
  assert.equal(subsets.length, 1, 'a pod without the named port gets no address');
  assert.deepEqual(subsets[0]!.addresses?.map((a) => a.ip), ['10.42.0.10']);
  assert.deepEqual(subsets[0]!.notReadyAddresses?.map((a) => a.ip), ['10.42.0.9']);
  assert.deepEqual(subsets[0]!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(desiredSubsets(svc({ publishNotReadyAddresses: true }), pods)[0]!.addresses?.map((a) => a.ip), ['10.42.0.9', '10.42.0.10']);
});
