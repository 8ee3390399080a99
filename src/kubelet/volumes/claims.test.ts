import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { claimHostPath, nodeSelectorTermsMatch, type ClaimSource, type PV, type PVC } from './claims.ts';
import { removable } from './local-path-cleanup.ts';
import { VolumePaths, mountsFor } from './manager.ts';

describe('claim volumes', () => {
  let dir: string;
  before(async () => void (dir = await mkdtemp(join(tmpdir(), 'claims-'))));
  after(() => rm(dir, { recursive: true, force: true }));
  const src = (claim: PVC | undefined, pv: PV | undefined): ClaimSource => ({ claim: async () => claim, volume: async () => pv });
  const bound: PVC = { metadata: { name: 'c', namespace: 'ns', uid: 'u' }, spec: { volumeName: 'pv' }, status: { phase: 'Bound' } };

  it('fails with upstream wording while the claim is missing or unbound', async () => {
    await assert.rejects(claimHostPath('ns', 'c', src(undefined, undefined)), /persistentvolumeclaims "c" not found/);
    await assert.rejects(claimHostPath('ns', 'c', src({ metadata: { name: 'c' }, status: { phase: 'Pending' } }, undefined)), /PVC ns\/c has non-bound phase \("Pending"\) or empty pvc.Spec.VolumeName \(""\)/);
  });

  it('resolves a bound claim to its hostPath volume (created) or local volume', async () => {
    const path = join(dir, 'pvc-x');
    const pv: PV = { metadata: { name: 'pv' }, spec: { claimRef: { uid: 'u' }, hostPath: { path, type: 'DirectoryOrCreate' } } };
    assert.equal(await claimHostPath('ns', 'c', src(bound, pv)), path);
    assert.ok(existsSync(path));
    assert.equal(await claimHostPath('ns', 'c', src(bound, { metadata: { name: 'pv' }, spec: { local: { path: dir } } })), dir);
    await assert.rejects(claimHostPath('ns', 'c', src(bound, { metadata: { name: 'pv' }, spec: { claimRef: { uid: 'other' }, hostPath: { path } } })), /bound to another claim/);
  });

  it('refuses a volume whose node affinity does not match this node', async () => {
    const affinity = (values: string[]) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values }] }] } });
    const pv = (values: string[]): PV => ({ metadata: { name: 'pv' }, spec: { claimRef: { uid: 'u' }, local: { path: dir }, nodeAffinity: affinity(values) } });
    const here = { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } };
    const on = (p: PV): ClaimSource => ({ ...src(bound, p), node: async () => here });
    assert.equal(await claimHostPath('ns', 'c', on(pv(['n0', 'n1']))), dir);
    await assert.rejects(claimHostPath('ns', 'c', on(pv(['n2']))), /^Error: NodeAffinity check failed for volume "pv" : no matching NodeSelectorTerms$/);
    // Without a node (no check possible) the volume is mounted, as before.
    assert.equal(await claimHostPath('ns', 'c', src(bound, pv(['n2']))), dir);
  });

  it('matches node selector terms as upstream (ORed terms, ANDed requirements, empty term never)', () => {
    const labels = { zone: 'a', gen: '5' };
    const m = (terms: Parameters<typeof nodeSelectorTermsMatch>[0]) => nodeSelectorTermsMatch(terms, labels, 'n1');
    assert.ok(m([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }]));
    assert.ok(!m([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'gen', operator: 'Gt', values: ['5'] }] }]));
    assert.ok(m([{ matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['6'] }, { key: 'ssd', operator: 'DoesNotExist' }, { key: 'zone', operator: 'NotIn', values: ['b'] }] }]));
    assert.ok(m([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]));
    assert.ok(!m([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }]));
    assert.ok(!m([{}]));
    assert.ok(!m([]));
  });

  it('mounts read-only when the pod volume says so and creates a missing subPath', () => {
    const vols = new VolumePaths([['d', dir]]);
    vols.readOnly.add('d');
    const [m] = mountsFor({ name: 'c', volumeMounts: [{ name: 'd', mountPath: '/d', subPath: 'a/b' }] }, vols, []);
    assert.equal(m!.readOnly, true);
    assert.ok(existsSync(join(dir, 'a', 'b')));
  });

  it('cleans up only directories named as the provisioner names them', () => {
    assert.ok(removable('/var/lib/skiff/storage/pvc-0f8c2a3e-1b2c-4d5e-8f90-123456789abc_default_data-web-0'));
    assert.ok(!removable('/'));
    assert.ok(!removable('/etc'));
    assert.ok(!removable('relative/pvc-0f8c2a3e-1b2c-4d5e-8f90-123456789abc_default_x'));
    assert.ok(!removable('/a/../pvc-0f8c2a3e-1b2c-4d5e-8f90-123456789abc_default_x/..'));
  });
});
