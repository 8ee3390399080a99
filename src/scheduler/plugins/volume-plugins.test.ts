/**
 * Unit tests for VolumeBinding and VolumeRestrictions over fixture nodes and fake listers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CycleState } from '../framework/cycle-state.ts';
import type { Handle } from '../framework/handle.ts';
import { Code } from '../framework/types.ts';
import { makeNode, makePod, makeSnapshot } from '../testing/fixtures.ts';
import { VolumeBinding, errReasonBindConflict, errReasonNodeConflict, errReasonUnboundImmediate } from './volume-binding.ts';
import type { PV, PVC, SC, VolumeListers } from './volume-listers.ts';
import { VolumeRestrictions, errReasonRWOConflict, errReasonRWOPConflict } from './volume-restrictions.ts';

function listers(claims: PVC[], volumes: PV[], classes: SC[]): VolumeListers {
  return {
    claim: (ns, n) => claims.find((c) => c.metadata?.namespace === ns && c.metadata?.name === n),
    volume: (n) => volumes.find((v) => v.metadata?.name === n),
    volumes: () => volumes,
    storageClass: (n) => classes.find((c) => c.metadata?.name === n),
    onChange: () => {},
  };
}
const claim = (name: string, o: { cls?: string; volumeName?: string; modes?: string[]; size?: string } = {}): PVC => ({
  metadata: { name, namespace: 'default', uid: `u-${name}` },
  spec: { storageClassName: o.cls ?? 'wffc', accessModes: o.modes ?? ['ReadWriteOnce'], resources: { requests: { storage: o.size ?? '1Gi' } }, volumeName: o.volumeName },
  status: o.volumeName ? { phase: 'Bound', accessModes: o.modes ?? ['ReadWriteOnce'] } : { phase: 'Pending' },
});
const onNode = (node: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } });
const volume = (name: string, node: string, o: { cls?: string; size?: string } = {}): PV => ({
  metadata: { name },
  spec: { storageClassName: o.cls ?? 'wffc', capacity: { storage: o.size ?? '1Gi' }, accessModes: ['ReadWriteOnce'], nodeAffinity: onNode(node), hostPath: { path: '/x' } },
  status: { phase: 'Available' },
});
const sc = (name: string, mode: string, provisioner = 'kubernetes.io/no-provisioner'): SC => ({ metadata: { name }, provisioner, volumeBindingMode: mode });
const usingClaims = (name: string, ...claims: string[]) =>
  makePod(name, { spec: { volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })) } });
const handle = {} as Pick<Handle, 'client' | 'requeue' | 'informers'>;
const classes = [sc('wffc', 'WaitForFirstConsumer'), sc('imm', 'Immediate'), sc('local-path', 'WaitForFirstConsumer', 'rancher.io/local-path')];

describe('VolumeBinding', () => {
  const nodes = makeSnapshot([makeNode('a'), makeNode('b')]);
  it('skips pods without claims, rejects missing and unbound immediate claims', () => {
    const vb = new VolumeBinding(handle, listers([claim('imm', { cls: 'imm' })], [], classes));
    assert.equal(vb.preFilter(new CycleState(), makePod('p'))?.code, Code.Skip);
    const missing = vb.preFilter(new CycleState(), usingClaims('p', 'nope'));
    assert.equal(missing?.code, Code.UnschedulableAndUnresolvable);
    assert.deepEqual(missing?.reasons, ['persistentvolumeclaim "nope" not found']);
    assert.deepEqual(vb.preFilter(new CycleState(), usingClaims('p', 'imm'))?.reasons, [errReasonUnboundImmediate]);
  });

  it('bound claims follow their volume\'s node affinity', () => {
    const vb = new VolumeBinding(handle, listers([claim('c', { volumeName: 'pv-a' })], [volume('pv-a', 'a')], classes));
    const st = new CycleState();
    const pod = usingClaims('p', 'c');
    assert.equal(vb.preFilter(st, pod), null);
    assert.equal(vb.filter(st, pod, nodes.get('a')!), null);
    assert.deepEqual(vb.filter(st, pod, nodes.get('b')!)?.reasons, [errReasonNodeConflict]);
  });

  it('WaitForFirstConsumer claims need a static volume on the node, and Reserve keeps two pods off one volume', () => {
    const vb = new VolumeBinding(handle, listers([claim('c1'), claim('c2')], [volume('pv-b', 'b'), volume('pv-small', 'a', { size: '100Mi' })], classes));
    const st = new CycleState();
    const pod = usingClaims('p', 'c1');
    assert.equal(vb.preFilter(st, pod), null);
    assert.deepEqual(vb.filter(st, pod, nodes.get('a')!)?.reasons, [errReasonBindConflict]);
    assert.equal(vb.filter(st, pod, nodes.get('b')!), null);
    assert.equal(vb.reserve(st, pod, 'b'), null);
    const st2 = new CycleState();
    const other = usingClaims('q', 'c2');
    vb.preFilter(st2, other);
    assert.deepEqual(vb.filter(st2, other, nodes.get('b')!)?.reasons, [errReasonBindConflict], 'pv-b is assumed by p');
    vb.unreserve(st, pod, 'b');
    assert.equal(vb.filter(st2, other, nodes.get('b')!), null, 'unreserve released pv-b');
  });

  it('a class with a provisioner can provision on any node', () => {
    const vb = new VolumeBinding(handle, listers([claim('c', { cls: 'local-path' })], [], classes));
    const st = new CycleState();
    const pod = usingClaims('p', 'c');
    assert.equal(vb.preFilter(st, pod), null);
    assert.equal(vb.filter(st, pod, nodes.get('a')!), null);
    assert.equal(vb.filter(st, pod, nodes.get('b')!), null);
  });
});

describe('VolumeRestrictions', () => {
  const claims = [claim('rwop', { volumeName: 'x', modes: ['ReadWriteOncePod'] }), claim('rwo', { volumeName: 'y' }), claim('rwx', { volumeName: 'z', modes: ['ReadWriteMany'] })];
  const vr = new VolumeRestrictions({}, listers(claims, [], classes));

  it('a ReadWriteOncePod claim in use blocks every node, until preemption removes the user', () => {
    const holder = usingClaims('holder', 'rwop');
    const s = makeSnapshot([makeNode('a'), makeNode('b')], [[holder, 'a']]);
    const st = new CycleState();
    const pod = usingClaims('p', 'rwop');
    assert.equal(vr.preFilter(st, pod, s), null);
    const r = vr.filter(st, pod, s.get('b')!);
    assert.equal(r?.code, Code.Unschedulable);
    assert.deepEqual(r?.reasons, [errReasonRWOPConflict]);
    vr.removePod(st, pod, holder, s.get('a')!);
    assert.equal(vr.filter(st, pod, s.get('b')!), null);
  });

  it('a ReadWriteOnce claim in use keeps other users on its node; RWX is free', () => {
    const s = makeSnapshot([makeNode('a'), makeNode('b')], [[usingClaims('h', 'rwo', 'rwx'), 'a']]);
    const st = new CycleState();
    const pod = usingClaims('p', 'rwo');
    assert.equal(vr.preFilter(st, pod, s), null);
    assert.equal(vr.filter(st, pod, s.get('a')!), null);
    assert.deepEqual(vr.filter(st, pod, s.get('b')!)?.reasons, [errReasonRWOConflict]);
    assert.equal(vr.preFilter(new CycleState(), usingClaims('q', 'rwx'), s)?.code, Code.Skip);
  });
});
