/**
 * @module StatefulSet pod identity and storage (upstream stateful_set_utils.go): names
 * `<set>-<ordinal>`, the pod-name / pod-index labels, hostname and subdomain, the claims
 * `<template>-<set>-<ordinal>` and the volumes that mount them, the pod states ordering waits
 * on, and new pods at the current or update revision (respecting the partition).
 */
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { newControllerRef } from '../framework/owner.ts';

export type SS = StatefulSet & KubeObject;
export type P = Pod & KubeObject;
export type PVC = PersistentVolumeClaim & KubeObject;

export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
export const podIndexLabel = 'apps.kubernetes.io/pod-index';
export const revisionLabel = 'controller-revision-hash';
export const statefulSetKind = { apiVersion: 'apps/v1', kind: 'StatefulSet' };

const ordinalName = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: ordinal -1 when the name is not `<parent>-<n>`. */
export function parentAndOrdinal(pod: { metadata?: { name?: string } }): { parent: string; ordinal: number } {
  const m = ordinalName.exec(pod.metadata?.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return Number.isSafeInteger(n) && n <= 2 ** 31 - 1 ? { parent: m[1]!, ordinal: n } : { parent: '', ordinal: -1 };
}

export const ordinalOf = (pod: P): number => parentAndOrdinal(pod).ordinal;
export const podName = (set: SS, ordinal: number): string => `${set.metadata?.name}-${ordinal}`;
export const claimName = (set: SS, template: string, ordinal: number): string => `${template}-${set.metadata?.name}-${ordinal}`;
export const startOrdinal = (set: SS): number => set.spec?.ordinals?.start ?? 0;
export const replicaCount = (set: SS): number => set.spec?.replicas ?? 1;

export function inOrdinalRange(pod: P, set: SS): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o < startOrdinal(set) + replicaCount(set);
}

/** isMemberOf: the pod's name says it belongs to the set. */
export function isMemberOf(set: SS, pod: P): boolean {
  return parentAndOrdinal(pod).parent === set.metadata?.name;
}

export const isCreated = (p: P): boolean => !!p.status?.phase;
export const isPending = (p: P): boolean => p.status?.phase === 'Pending';
export const isFailed = (p: P): boolean => p.status?.phase === 'Failed';
export const isSucceeded = (p: P): boolean => p.status?.phase === 'Succeeded';
export const isTerminating = (p: P): boolean => !!p.metadata?.deletionTimestamp;
export const podRevision = (p: P): string => p.metadata?.labels?.[revisionLabel] ?? '';

export function isRunningAndReady(p: P): boolean {
  return p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function isRunningAndAvailable(p: P, minReadySeconds: number, now: Date): boolean {
  if (!isRunningAndReady(p)) return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now.getTime();
}

export const isHealthy = (p: P): boolean => isRunningAndReady(p) && !isTerminating(p);

/** getPersistentVolumeClaims: the claims the pod's ordinal owns, by template name. */
export function claimsFor(set: SS, ordinal: number): Map<string, PVC> {
  const out = new Map<string, PVC>();
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const name = t.metadata?.name ?? '';
    const { status: _s, ...template } = structuredClone(t) as PVC;
    const match = set.spec?.selector?.matchLabels ?? {};
    out.set(name, {
      ...template,
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { ...(template.metadata ?? {}), name: claimName(set, name, ordinal), namespace: set.metadata?.namespace, labels: { ...(template.metadata?.labels ?? {}), ...match } },
    });
  }
  return out;
}

/** updateIdentity: name, namespace, identity labels, hostname and subdomain. */
export function setIdentity(set: SS, pod: P, ordinal: number): void {
  const name = podName(set, ordinal);
  pod.metadata = { ...(pod.metadata ?? {}), name, namespace: set.metadata?.namespace };
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [podNameLabel]: name, [podIndexLabel]: String(ordinal) };
  pod.spec = { containers: [], ...(pod.spec ?? {}), hostname: name };
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
}

/** updateStorage: one volume per claim template, mounting the ordinal's claim. */
export function setStorage(set: SS, pod: P, ordinal: number): void {
  const claims = claimsFor(set, ordinal);
  const volumes: Volume[] = [...claims].map(([name, c]) => ({ name, persistentVolumeClaim: { claimName: c.metadata!.name! } }));
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  if (volumes.length || pod.spec?.volumes) pod.spec = { containers: [], ...(pod.spec ?? {}), volumes };
}

export function identityMatches(set: SS, pod: P): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  const labels = pod.metadata?.labels ?? {};
  return (
    ordinal >= 0 &&
    parent === set.metadata?.name &&
    pod.metadata?.namespace === set.metadata?.namespace &&
    labels[podNameLabel] === pod.metadata?.name &&
    labels[podIndexLabel] === String(ordinal)
  );
}

export function storageMatches(set: SS, pod: P): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const [name, claim] of claimsFor(set, ordinal)) {
    if (volumes.get(name)?.persistentVolumeClaim?.claimName !== claim.metadata?.name) return false;
  }
  return true;
}

/** newStatefulSetPod: the template's pod with the set's identity and storage. */
export function newStatefulSetPod(set: SS, ordinal: number): P {
  const t = structuredClone(set.spec?.template ?? {});
  const pod: P = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      labels: { ...(t.metadata?.labels ?? {}) },
      annotations: t.metadata?.annotations ? { ...t.metadata.annotations } : undefined,
      finalizers: t.metadata?.finalizers ? [...t.metadata.finalizers] : undefined,
      ownerReferences: [newControllerRef(set, statefulSetKind)],
    },
    spec: t.spec ?? { containers: [] },
  };
  setIdentity(set, pod, ordinal);
  setStorage(set, pod, ordinal);
  return pod;
}

/**
 * newVersionedStatefulSetPod: ordinals below the partition (RollingUpdate) stay at the
 * current revision; all others are made at the update revision.
 */
export function newVersionedPod(currentSet: SS, updateSet: SS, currentRevision: string, updateRevision: string, ordinal: number): P {
  const us = currentSet.spec?.updateStrategy;
  const ru = us?.rollingUpdate;
  const atCurrent =
    (us?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
    ((!ru && ordinal < (currentSet.status?.currentReplicas ?? 0)) || (!!ru && ordinal < (ru.partition ?? 0)));
  const pod = newStatefulSetPod(atCurrent ? currentSet : updateSet, ordinal);
  pod.metadata!.labels = { ...(pod.metadata!.labels ?? {}), [revisionLabel]: atCurrent ? currentRevision : updateRevision };
  return pod;
}
