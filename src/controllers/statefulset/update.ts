/**
 * @module The StatefulSet update algorithm (upstream stateful_set_control.go updateStatefulSet,
 * processReplica, processCondemned): pods in the ordinal range are created, recreated when
 * finished, and repaired; pods past it are condemned and deleted highest ordinal first. With
 * OrderedReady ("monotonic") each step waits for every earlier pod to be Running and Ready;
 * Parallel acts on all at once (slow-start batches). Then RollingUpdate deletes the highest
 * ordinal not at the update revision, down to the partition, one pod at a time.
 */
import type { StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Revision } from '../framework/history.ts';
import {
  inOrdinalRange,
  isCreated,
  isFailed,
  isHealthy,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  newVersionedPod,
  ordinalOf,
  podRevision,
  replicaCount,
  startOrdinal,
  identityMatches,
  storageMatches,
  type P,
  type SS,
} from './identity.ts';
import type { StatefulPodControl } from './pod-control.ts';
import { applyRevision } from './revisions.ts';

export type MutableStatus = { -readonly [K in keyof StatefulSetStatus]: StatefulSetStatus[K] } & { replicas: number };

/** updateStatus: counts over every pod the set has (in range or condemned). */
export function countPods(status: MutableStatus, minReadySeconds: number, current: string, update: string, pods: readonly P[], now: Date): void {
  Object.assign(status, { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 });
  for (const pod of pods) {
    if (isCreated(pod)) status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas!++;
      if (isRunningAndAvailable(pod, minReadySeconds, now)) status.availableReplicas!++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      if (podRevision(pod) === current) status.currentReplicas!++;
      if (podRevision(pod) === update) status.updatedReplicas!++;
    }
  }
}

/** runForAll: in order, stopping at the first step that blocks; or all in slow-start batches. */
async function runForAll(n: number, fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < n; i++) if (await fn(i)) return true;
    return false;
  }
  for (let pos = 0, batch = Math.min(n, 1); pos < n; pos += batch, batch = Math.min(2 * batch, n - pos)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, (_, k) => fn(pos + k)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
  return false;
}

export async function updateStatefulSet(
  set: SS,
  current: Revision,
  update: Revision,
  collisionCount: number,
  pods: readonly P[],
  control: StatefulPodControl,
  now: Date,
): Promise<MutableStatus> {
  const currentSet = applyRevision(set, current);
  const updateSet = applyRevision(set, update);
  const currentName = current.metadata?.name ?? '';
  const updateName = update.metadata?.name ?? '';
  const minReady = set.spec?.minReadySeconds ?? 0;
  const status: MutableStatus = { replicas: 0, observedGeneration: set.metadata?.generation, currentRevision: currentName, updateRevision: updateName, collisionCount };

  const start = startOrdinal(set);
  const replicas: P[] = new Array(replicaCount(set));
  const condemned: P[] = [];
  for (const pod of pods) {
    if (inOrdinalRange(pod, set)) replicas[ordinalOf(pod) - start] = pod;
    else if (ordinalOf(pod) >= 0) condemned.push(pod);
  }
  for (let i = 0; i < replicas.length; i++) replicas[i] ??= newVersionedPod(currentSet, updateSet, currentName, updateName, start + i);
  // Highest ordinal first: scale-down removes from the top.
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  const recount = () => countPods(status, minReady, currentName, updateName, [...replicas, ...condemned], now);

  const firstUnhealthy = replicas.find((p) => !isHealthy(p)) ?? [...condemned].reverse().find((p) => !isHealthy(p));
  recount();
  if (set.metadata?.deletionTimestamp) return status;
  const monotonic = set.spec?.podManagementPolicy !== 'Parallel';

  const processReplica = async (i: number): Promise<boolean> => {
    let pod = replicas[i]!;
    if (isFailed(pod) || isSucceeded(pod)) {
      const ns = `${set.metadata?.namespace}/${set.metadata?.name}`;
      if (isFailed(pod)) control.event(set, 'Warning', 'RecreatingFailedPod', `StatefulSet ${ns} is recreating failed Pod ${pod.metadata?.name}`);
      else control.event(set, 'Normal', 'RecreatingTerminatedPod', `StatefulSet ${ns} is recreating terminated Pod ${pod.metadata?.name}`);
      if (!isTerminating(pod)) await control.deleteStatefulPod(set, pod);
      pod = replicas[i] = newVersionedPod(currentSet, updateSet, currentName, updateName, start + i);
    }
    if (!isCreated(pod)) {
      await control.createStatefulPod(set, pod);
      return monotonic;
    }
    if (isPending(pod)) await control.createMissingClaims(set, pod);
    // Each pod waits for every predecessor to be Running, Ready and Available.
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, now))) return true;
    if (identityMatches(set, pod) && storageMatches(set, pod)) return false;
    await control.updateStatefulPod(updateSet, pod);
    return false;
  };
  if (await runForAll(replicas.length, processReplica, monotonic)) {
    recount();
    return status;
  }

  const processCondemned = async (i: number): Promise<boolean> => {
    const pod = condemned[i]!;
    if (isTerminating(pod)) return monotonic;
    // Only the first unhealthy pod may go while others are not ready: it is the one in the way.
    if (monotonic && pod !== firstUnhealthy && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, now))) return true;
    await control.prepareClaimsForScaleDown(set, pod);
    await control.deleteStatefulPod(set, pod);
    return true;
  };
  if (await runForAll(condemned.length, processCondemned, monotonic)) {
    recount();
    return status;
  }
  recount();

  if (set.spec?.updateStrategy?.type === 'OnDelete') return status;
  const updateMin = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = replicas.length - 1; target >= updateMin; target--) {
    const pod = replicas[target]!;
    if (podRevision(pod) !== updateName && !isTerminating(pod)) {
      await control.deleteStatefulPod(set, pod);
      status.currentReplicas = (status.currentReplicas ?? 0) - 1;
      return status;
    }
    // One pod at a time: wait for the replaced pod to be healthy before the next.
    if (!isHealthy(pod)) return status;
  }
  return status;
}

/** completeRollingUpdate: once every pod is updated and ready, the update revision is current. */
export function completeRollingUpdate(set: SS, status: MutableStatus): void {
  if (set.spec?.updateStrategy?.type !== 'OnDelete' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}
