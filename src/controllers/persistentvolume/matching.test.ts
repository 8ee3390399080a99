import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findBestMatch, type PV, type PVC } from './matching.ts';

const pv = (name: string, size: string, modes: string[], extra: Partial<PV['spec']> = {}, labels?: Record<string, string>): PV => ({
  metadata: { name, labels },
  spec: { capacity: { storage: size }, accessModes: modes, storageClassName: 'manual', volumeMode: 'Filesystem', ...extra },
  status: { phase: 'Available' },
});
const pvc = (size: string, modes: string[], extra: Partial<PVC['spec']> = {}): PVC => ({
  metadata: { name: 'c', namespace: 'ns', uid: 'u1' },
  spec: { resources: { requests: { storage: size } }, accessModes: modes, storageClassName: 'manual', ...extra },
});

describe('findBestMatch', () => {
  it('picks the smallest volume that fits', () => {
    const vols = [pv('big', '10Gi', ['ReadWriteOnce']), pv('small', '1Gi', ['ReadWriteOnce']), pv('tiny', '100Mi', ['ReadWriteOnce'])];
    assert.equal(findBestMatch(pvc('500Mi', ['ReadWriteOnce']), vols)?.metadata?.name, 'small');
    assert.equal(findBestMatch(pvc('20Gi', ['ReadWriteOnce']), vols), undefined);
  });
  it('requires every requested access mode and prefers fewer modes', () => {
    const vols = [pv('rwo', '1Gi', ['ReadWriteOnce']), pv('both', '1Gi', ['ReadWriteOnce', 'ReadWriteMany'])];
    assert.equal(findBestMatch(pvc('1Gi', ['ReadWriteMany']), vols)?.metadata?.name, 'both');
    assert.equal(findBestMatch(pvc('1Gi', ['ReadWriteOnce']), vols)?.metadata?.name, 'rwo');
    assert.equal(findBestMatch(pvc('1Gi', ['ReadWriteOncePod']), vols), undefined);
  });
  it('matches class, volume mode and selector, and skips volumes not Available', () => {
    assert.equal(findBestMatch(pvc('1Gi', ['ReadWriteOnce'], { storageClassName: 'other' }), [pv('a', '1Gi', ['ReadWriteOnce'])]), undefined);
    assert.equal(findBestMatch(pvc('1Gi', ['ReadWriteOnce'], { volumeMode: 'Block' }), [pv('a', '1Gi', ['ReadWriteOnce'])]), undefined);
    const labelled = [pv('a', '1Gi', ['ReadWriteOnce'], {}, { tier: 'gold' }), pv('b', '1Gi', ['ReadWriteOnce'])];
    assert.equal(findBestMatch(pvc('1Gi', ['ReadWriteOnce'], { selector: { matchLabels: { tier: 'gold' } } }), labelled)?.metadata?.name, 'a');
    const released = { ...pv('a', '1Gi', ['ReadWriteOnce']), status: { phase: 'Released' } };
    assert.equal(findBestMatch(pvc('1Gi', ['ReadWriteOnce']), [released]), undefined);
  });
  it('honours claimRef pre-binding, also when binding is delayed', () => {
    const mine = pv('mine', '5Gi', ['ReadWriteOnce'], { claimRef: { namespace: 'ns', name: 'c' }, storageClassName: 'x' });
    const other = pv('other', '1Gi', ['ReadWriteOnce'], { claimRef: { namespace: 'ns', name: 'd' } });
    assert.equal(findBestMatch(pvc('1Gi', ['ReadWriteOnce']), [other, mine])?.metadata?.name, 'mine');
    assert.equal(findBestMatch(pvc('1Gi', ['ReadWriteOnce']), [other]), undefined);
    assert.equal(findBestMatch(pvc('1Gi', ['ReadWriteOnce']), [pv('free', '1Gi', ['ReadWriteOnce'])], true), undefined);
    assert.equal(findBestMatch(pvc('1Gi', ['ReadWriteOnce']), [mine], true)?.metadata?.name, 'mine');
  });
});
