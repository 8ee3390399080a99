/**
 * @module Matching a claim to a volume, as upstream's `FindMatchingVolume` and the PV
 * controller's access-mode index (pkg/controller/volume/persistentvolume/{index.go,util}):
 * a volume pre-bound to the claim wins; otherwise an Available, unclaimed volume of the same
 * class, volume mode and selector, whose access modes include every mode the claim asks for
 * and whose capacity fits. Volumes with fewer access modes are preferred, then the smallest.
 */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { selectorFromLabelSelector } from '../../machinery/labels.ts';
import { parseQuantity } from './quantity.ts';

export type PV = PersistentVolume & KubeObject;
export type PVC = PersistentVolumeClaim & KubeObject;

export const annBindCompleted = 'pv.kubernetes.io/bind-completed';
export const annBoundByController = 'pv.kubernetes.io/bound-by-controller';
export const annSelectedNode = 'volume.kubernetes.io/selected-node';
export const annStorageProvisioner = 'volume.kubernetes.io/storage-provisioner';
export const annBetaStorageProvisioner = 'volume.beta.kubernetes.io/storage-provisioner';
export const annProvisionedBy = 'pv.kubernetes.io/provisioned-by';
const annBetaClass = 'volume.beta.kubernetes.io/storage-class';

/** GetPersistentVolumeClaimClass: the beta annotation wins over the field; unset is "". */
export const claimClass = (c: PVC): string => c.metadata?.annotations?.[annBetaClass] ?? c.spec?.storageClassName ?? '';
export const volumeClass = (v: PV): string => v.metadata?.annotations?.[annBetaClass] ?? v.spec?.storageClassName ?? '';

/** The requested storage of a claim, in bytes. */
export const claimRequest = (c: PVC): number => parseQuantity(c.spec?.resources?.requests?.storage);
export const volumeCapacity = (v: PV): number => parseQuantity(v.spec?.capacity?.storage);

/** IsVolumeBoundToClaim: the volume's claimRef names this claim (and its uid, when set). */
export function isVolumeBoundToClaim(v: PV, c: PVC): boolean {
  const ref = v.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== c.metadata?.name || ref.namespace !== c.metadata?.namespace) return false;
  return !ref.uid || ref.uid === c.metadata?.uid;
}

/** Every mode the claim asks for is one the volume offers. */
export function containsAccessModes(volumeModes: readonly string[] | undefined, claimModes: readonly string[] | undefined): boolean {
  const have = new Set(volumeModes ?? []);
  return (claimModes ?? []).every((m) => have.has(m));
}

const volumeMode = (m: string | undefined): string => m ?? 'Filesystem';
export const volumeModeMismatch = (v: PV, c: PVC): boolean => volumeMode(v.spec?.volumeMode) !== volumeMode(c.spec?.volumeMode);

/**
 * The best volume for the claim, or undefined. With `delayBinding` (a WaitForFirstConsumer
 * class and no selected node yet) only a volume pre-bound to the claim may match, as upstream.
 */
export function findBestMatch(claim: PVC, volumes: readonly PV[], delayBinding = false): PV | undefined {
  const request = claimRequest(claim);
  const wantClass = claimClass(claim);
  const selector = claim.spec?.selector ? selectorFromLabelSelector(claim.spec.selector) : undefined;
  // Upstream indexes volumes by their access-mode set and tries the sets with fewest modes first.
  const candidates = volumes
    .filter((v) => containsAccessModes(v.spec?.accessModes, claim.spec?.accessModes))
    .filter((v) => !v.metadata?.deletionTimestamp);
  const groups = new Map<string, PV[]>();
  for (const v of candidates) {
    const k = [...new Set(v.spec?.accessModes ?? [])].sort().join(',');
    groups.set(k, [...(groups.get(k) ?? []), v]);
  }
  const ordered = [...groups.entries()].sort((a, b) => a[0].split(',').length - b[0].split(',').length);
  for (const [, group] of ordered) {
    let smallest: PV | undefined;
    for (const v of group) {
      const size = volumeCapacity(v);
      if (isVolumeBoundToClaim(v, claim)) {
        if (size < request || volumeModeMismatch(v, claim)) continue;
        return v;
      }
      if (delayBinding) continue;
      if (v.status?.phase !== 'Available' || v.spec?.claimRef) continue;
      if (selector && !selector.matches(v.metadata?.labels)) continue;
      if (volumeClass(v) !== wantClass) continue;
      if (volumeModeMismatch(v, claim)) continue;
      if (size >= request && (!smallest || volumeCapacity(smallest) > size)) smallest = v;
    }
    if (smallest) return smallest;
  }
  return undefined;
}
