import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AdmissionAttributes } from './interface.ts';
import type { ResourceInfo } from '../../machinery/resources.ts';
import { storageObjectInUseProtection } from './storage-object-in-use-protection.ts';

const attrs = (resource: string, operation: AdmissionAttributes['operation'], finalizers?: string[]): AdmissionAttributes => ({
  operation,
  resource: { group: '', version: 'v1', resource } as ResourceInfo,
  subresource: '',
  namespace: 'ns',
  name: 'x',
  object: { metadata: { name: 'x', finalizers } },
  oldObject: undefined,
  user: { username: 'u', groups: [] },
  dryRun: false,
});

describe('StorageObjectInUseProtection', () => {
  const plugin = storageObjectInUseProtection();
  it('adds the protection finalizers on create, once', async () => {
    const pvc = attrs('persistentvolumeclaims', 'CREATE', ['a']);
    await plugin.mutate!(pvc);
    await plugin.mutate!(pvc);
    assert.deepEqual(pvc.object?.metadata?.finalizers, ['a', 'kubernetes.io/pvc-protection']);
    const pv = attrs('persistentvolumes', 'CREATE');
    await plugin.mutate!(pv);
    assert.deepEqual(pv.object?.metadata?.finalizers, ['kubernetes.io/pv-protection']);
  });
  it('leaves updates and other kinds alone', async () => {
    const upd = attrs('persistentvolumeclaims', 'UPDATE');
    await plugin.mutate!(upd);
    assert.equal(upd.object?.metadata?.finalizers, undefined);
    const pod = attrs('pods', 'CREATE');
    await plugin.mutate!(pod);
    assert.equal(pod.object?.metadata?.finalizers, undefined);
  });
});
