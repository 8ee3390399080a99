/**
 * VolumeManager.setUp failures carry upstream's FailedMount wording: "MountVolume.SetUp failed
 * for volume" for a volume that cannot be written, "Unable to attach or mount volumes" for a
 * claim that cannot be processed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { VolumeManager, VolumeSetUpError } from './manager.ts';
import type { VolumeSources } from './sources.ts';

const sources: VolumeSources = { configMap: async () => undefined, secret: async () => undefined, allocatable: {} };
const pod = (volumes: NonNullable<Pod['spec']>['volumes']): Pod => ({ metadata: { name: 'p', namespace: 'd', uid: 'u1' }, spec: { containers: [{ name: 'c' }], volumes } });

describe('VolumeManager set-up errors', () => {
  it('names the volume as upstream does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skvol-'));
    try {
      const m = new VolumeManager({ useTmpfs: false });
      await assert.rejects(m.setUp(pod([{ name: 'cfg', configMap: { name: 'missing' } }]), dir, sources), (err: Error) => {
        assert.ok(err instanceof VolumeSetUpError);
        assert.equal(err.message, 'MountVolume.SetUp failed for volume "cfg" : configmap "missing" not found');
        return true;
      });
      await assert.rejects(m.setUp(pod([{ name: 'data', persistentVolumeClaim: { claimName: 'c' } }]), dir, sources), {
        message: 'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data], failed to process volumes=[data]: persistentVolumeClaim volumes need the API (no claim source)',
      });
      await assert.rejects(m.setUp(pod([{ name: 'x', gitRepo: { repository: 'r' } }]), dir, sources), {
        message: 'MountVolume.SetUp failed for volume "x" : this kind of volume is not supported by this kubelet yet',
      });
      // A volume that sets up fine is still returned.
      const ok = await m.setUp(pod([{ name: 'scratch', emptyDir: {} }]), dir, sources);
      assert.equal(ok.get('scratch'), join(dir, 'volumes', 'kubernetes.io~empty-dir', 'scratch'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
