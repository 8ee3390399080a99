/**
 * @module persistentVolumeClaimRetentionPolicy kept true over time (upstream
 * stateful_set_utils.go updateClaimOwnerRefs, run from UpdatePodClaimForRetentionPolicy):
 * whenDeleted=Delete makes the set an owner of a pod's claims (so the garbage collector
 * deletes them with the set), whenScaled=Delete makes a scaled-down pod their owner (so they
 * go with the pod); a policy changed later adds or removes those references on claims that
 * already exist.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { refs } from '../../client/refs.ts';
import type { Client } from '../../client/rest.ts';
import { isConflict, isNotFound } from '../../machinery/status.ts';
import { claimsFor, ordinalOf, replicaCount, startOrdinal, statefulSetKind, type P, type PVC, type SS } from './identity.ts';

const podKind = { apiVersion: 'v1', kind: 'Pod' };

function refTo(o: SS | P, gvk: { apiVersion: string; kind: string }): OwnerReference {
  return { apiVersion: gvk.apiVersion, kind: gvk.kind, name: o.metadata?.name ?? '', uid: o.metadata?.uid ?? '' };
}

/** podInOrdinalRange: the pod is one the set still wants. */
function inOrdinalRange(set: SS, pod: P): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o < startOrdinal(set) + replicaCount(set);
}

/** The claim's owner references as the policy wants them, or undefined when they already are. */
export function retentionOwnerRefs(set: SS, claim: PVC, pod: P): OwnerReference[] | undefined {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy;
  const deleteWithSet = policy?.whenDeleted === 'Delete';
  const deleteOnScale = policy?.whenScaled === 'Delete';
  const scaledDown = !inOrdinalRange(set, pod);
  const wantSet = deleteWithSet && !(deleteOnScale && scaledDown);
  const wantPod = deleteOnScale && scaledDown;
  const setUid = set.metadata?.uid ?? '';
  const podUid = pod.metadata?.uid ?? '';
  const current = claim.metadata?.ownerReferences ?? [];
  // Only references to this set and this pod are ours to manage; other owners stay.
  let next = current.filter((r) => (r.uid === setUid ? wantSet : r.uid === podUid ? wantPod : true));
  if (wantSet && !next.some((r) => r.uid === setUid)) next = [...next, refTo(set, statefulSetKind)];
  if (wantPod && !next.some((r) => r.uid === podUid)) next = [...next, refTo(pod, podKind)];
  const same = next.length === current.length && next.every((r, i) => r.uid === current[i]?.uid);
  return same ? undefined : next;
}

/**
 * Brings the claims of every pod of the set in line with the policy, reading claims from the
 * informer cache `claimOf` and writing only those that differ.
 */
export async function syncClaimRetention(client: Client, set: SS, pods: readonly P[], claimOf: (ns: string, name: string) => PVC | undefined): Promise<void> {
  if (set.metadata?.deletionTimestamp) return;
  const pvcs = client.resource<PVC>(refs.persistentvolumeclaims);
  for (const pod of pods) {
    if (ordinalOf(pod) < 0) continue;
    for (const template of claimsFor(set, ordinalOf(pod)).values()) {
      const claim = claimOf(template.metadata?.namespace ?? '', template.metadata?.name ?? '');
      if (!claim || claim.metadata?.deletionTimestamp) continue;
      const ownerReferences = retentionOwnerRefs(set, claim, pod);
      if (!ownerReferences) continue;
      try {
        await pvcs.update({ ...claim, metadata: { ...claim.metadata, ownerReferences } });
      } catch (err) {
        // A stale cache: the claim's update event brings the set back here.
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
  }
}
