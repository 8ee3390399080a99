/**
 * @module StatefulPodControl (upstream stateful_pod_control.go): creates a pod after its
 * claims, repairs a pod's identity and storage, deletes pods, and records the events upstream
 * records ("create Pod web-0 in StatefulSet web successful", "create Claim www-web-0 Pod
 * web-0 in StatefulSet web success", …). Claims follow persistentVolumeClaimRetentionPolicy:
 * whenDeleted=Delete makes the set an owner, whenScaled=Delete the condemned pod.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../../machinery/status.ts';
import type { EventRecorder } from '../../client/events/recorder.ts';
import { refs } from '../../client/refs.ts';
import type { Client } from '../../client/rest.ts';
import { claimsFor, identityMatches, ordinalOf, setIdentity, setStorage, statefulSetKind, storageMatches, type P, type PVC, type SS } from './identity.ts';

/** What the update algorithm needs done; a fake in unit tests, the API in the controller. */
export interface StatefulPodControl {
  createStatefulPod(set: SS, pod: P): Promise<void>;
  updateStatefulPod(set: SS, pod: P): Promise<void>;
  deleteStatefulPod(set: SS, pod: P): Promise<void>;
  createMissingClaims(set: SS, pod: P): Promise<void>;
  /** Before a scale-down deletes pod: whenScaled=Delete hands its claims to the pod. */
  prepareClaimsForScaleDown(set: SS, pod: P): Promise<void>;
  event(set: SS, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

const title = (verb: string) => verb[0]!.toUpperCase() + verb.slice(1);
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

function ownerRef(o: KubeObject, gvk: { apiVersion: string; kind: string }): OwnerReference {
  return { apiVersion: gvk.apiVersion, kind: gvk.kind, name: o.metadata?.name ?? '', uid: o.metadata?.uid ?? '' };
}

export class APIStatefulPodControl implements StatefulPodControl {
  constructor(
    private readonly client: Client,
    private readonly recorder: EventRecorder,
  ) {}

  event(set: SS, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event(set, type, reason, message);
  }

  private podEvent(verb: string, set: SS, pod: P, err?: unknown): void {
    const what = `${verb} Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name}`;
    if (err === undefined) this.event(set, 'Normal', `Successful${title(verb)}`, `${what} successful`);
    else this.event(set, 'Warning', `Failed${title(verb)}`, `${what} failed error: ${errText(err)}`);
  }

  private claimEvent(verb: string, set: SS, pod: P, claim: PVC, err?: unknown): void {
    if (err === undefined)
      this.event(set, 'Normal', `Successful${title(verb)}`, `${verb} Claim ${claim.metadata?.name} Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} success`);
    else
      this.event(set, 'Warning', `Failed${title(verb)}`, `${verb} Claim ${claim.metadata?.name} for Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} failed error: ${errText(err)}`);
  }

  async createMissingClaims(set: SS, pod: P): Promise<void> {
    const pvcs = this.client.resource<PVC>(refs.persistentvolumeclaims);
    const errors: string[] = [];
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      try {
        const existing = await pvcs.get(claim.metadata!.name!, claim.metadata?.namespace);
        if (existing.metadata?.deletionTimestamp) errors.push(`pvc ${claim.metadata?.name} is being deleted`);
        continue;
      } catch (err) {
        if (!isNotFound(err)) {
          errors.push(`failed to retrieve PVC ${claim.metadata?.name}: ${errText(err)}`);
          this.claimEvent('create', set, pod, claim, err);
          continue;
        }
      }
      if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete')
        claim.metadata!.ownerReferences = [...(claim.metadata!.ownerReferences ?? []), ownerRef(set, statefulSetKind)];
      try {
        await pvcs.create(claim, claim.metadata?.namespace);
        this.claimEvent('create', set, pod, claim);
      } catch (err) {
        errors.push(`failed to create PVC ${claim.metadata?.name}: ${errText(err)}`);
        if (!isAlreadyExists(err)) this.claimEvent('create', set, pod, claim, err);
      }
    }
    if (errors.length) throw new Error(errors.join(', '));
  }

  async createStatefulPod(set: SS, pod: P): Promise<void> {
    try {
      await this.createMissingClaims(set, pod);
    } catch (err) {
      this.podEvent('create', set, pod, err);
      throw err;
    }
    try {
      await this.client.resource<P>(refs.pods).create(pod, pod.metadata?.namespace);
    } catch (err) {
      // A pod of that name already exists: the cache will show it; no event, as upstream.
      if (!isAlreadyExists(err)) this.podEvent('create', set, pod, err);
      throw err;
    }
    this.podEvent('create', set, pod);
  }

  async updateStatefulPod(set: SS, pod: P): Promise<void> {
    const pods = this.client.resource<P>(refs.pods);
    let current = structuredClone(pod);
    for (let attempt = 0; ; attempt++) {
      let consistent = true;
      const ordinal = ordinalOf(current);
      if (!identityMatches(set, current)) {
        setIdentity(set, current, ordinal);
        consistent = false;
      }
      if (!storageMatches(set, current)) {
        setStorage(set, current, ordinal);
        await this.createMissingClaims(set, current);
        consistent = false;
      }
      if (consistent) return;
      try {
        await pods.update(current);
        this.podEvent('update', set, current);
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 3) {
          this.podEvent('update', set, current, err);
          throw err;
        }
        current = await pods.get(pod.metadata!.name!, pod.metadata?.namespace);
      }
    }
  }

  async deleteStatefulPod(set: SS, pod: P): Promise<void> {
    try {
      await this.client.resource<P>(refs.pods).delete(pod.metadata!.name!, { namespace: pod.metadata?.namespace });
    } catch (err) {
      if (isNotFound(err)) return;
      this.podEvent('delete', set, pod, err);
      throw err;
    }
    this.podEvent('delete', set, pod);
  }

  async prepareClaimsForScaleDown(set: SS, pod: P): Promise<void> {
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return;
    const pvcs = this.client.resource<PVC>(refs.persistentvolumeclaims);
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      let existing: PVC;
      try {
        existing = await pvcs.get(claim.metadata!.name!, claim.metadata?.namespace);
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      const owners = existing.metadata?.ownerReferences ?? [];
      if (owners.some((o) => o.uid === pod.metadata?.uid)) continue;
      await pvcs.update({ ...existing, metadata: { ...existing.metadata, ownerReferences: [...owners, ownerRef(pod, { apiVersion: 'v1', kind: 'Pod' })] } });
    }
  }
}
