import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { claimHostPath, type ClaimSource, type PV, type PVC } from './claims.ts';
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
