/**
 * @module Deployment status and conditions (upstream sync.go calculateStatus and progress.go):
 * replica counts summed over the ReplicaSets, Available (MinimumReplicasAvailable /
 * MinimumReplicasUnavailable), and the Progressing condition's life cycle
 * (NewReplicaSetCreated, FoundNewReplicaSet, ReplicaSetUpdated, NewReplicaSetAvailable,
 * ProgressDeadlineExceeded, DeploymentPaused, DeploymentResumed).
 */
import { canonicalJSON } from './pod-template-hash.ts';
import { maxUnavailable, sumActual, sumAvailable, sumReady, sumSpec } from './replicas.ts';
import { desiredReplicas, type Condition, type D, type RS, type Status } from './types.ts';

export const reasons = {
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  failedRSCreate: 'ReplicaSetCreateError',
} as const;

/** metav1.Time renders whole seconds; keep conditions comparable across round trips. */
export const timestamp = (now: Date): string => now.toISOString().replace(/\.\d+Z$/, 'Z');

export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, now: Date): Condition {
  const t = timestamp(now);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

export function getCondition(status: Status | D['status'] | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type) as Condition | undefined;
}

/** SetDeploymentCondition: no-op for the same status and reason; keeps the transition time when only the reason changes. */
export function setCondition(status: Status, cond: Condition): void {
  const cur = getCondition(status, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  if (cur && cur.status === cond.status) cond = { ...cond, lastTransitionTime: cur.lastTransitionTime };
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), cond];
}

export function removeCondition(status: Status, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}

export function hasProgressDeadline(d: D): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== 2147483647;
}

export function calculateStatus(all: readonly (RS | undefined)[], newRS: RS | undefined, d: D, now: Date): Status {
  const available = sumAvailable(all);
  const status: Status = {
    observedGeneration: d.metadata?.generation,
    replicas: sumActual(all),
    updatedReplicas: sumActual([newRS]),
    readyReplicas: sumReady(all),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sumSpec(all) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = (d.status.conditions as Condition[]).map((c) => ({ ...c }));
  if (available >= desiredReplicas(d) - maxUnavailable(d))
    setCondition(status, newCondition('Available', 'True', reasons.minimumReplicasAvailable, 'Deployment has minimum availability.', now));
  else setCondition(status, newCondition('Available', 'False', reasons.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  return status;
}

/** DeploymentComplete: every replica updated and available, and the latest spec observed. */
export function deploymentComplete(d: D, s: Status): boolean {
  const want = desiredReplicas(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, or more ready/available pods than last time. */
export function deploymentProgressing(d: D, s: Status): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** DeploymentTimedOut: no progress for progressDeadlineSeconds since the condition's last update. */
export function deploymentTimedOut(d: D, s: Status, now: Date): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(s, 'Progressing');
  if (!cond) return false;
  if (cond.reason === reasons.newRSAvailable) return false;
  if (cond.reason === reasons.timedOut) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  return from + (d.spec!.progressDeadlineSeconds ?? 0) * 1000 < now.getTime();
}

/**
 * Progressing as syncRolloutStatus updates it: complete, progressing (lastUpdateTime moves on,
 * transition time kept) or timed out; left alone once the rollout completed.
 */
export function updateProgressing(d: D, s: Status, newRS: RS | undefined, now: Date): void {
  if (!hasProgressDeadline(d)) {
    removeCondition(s, 'Progressing');
    return;
  }
  const current = getCondition(d.status, 'Progressing');
  const complete = s.replicas === s.updatedReplicas && current?.reason === reasons.newRSAvailable;
  if (complete) return;
  const subject = newRS ? `ReplicaSet "${newRS.metadata?.name}"` : `Deployment "${d.metadata?.name}"`;
  if (deploymentComplete(d, s)) {
    setCondition(s, newCondition('Progressing', 'True', reasons.newRSAvailable, `${subject} has successfully progressed.`, now));
  } else if (deploymentProgressing(d, s)) {
    const cond = newCondition('Progressing', 'True', reasons.replicaSetUpdated, `${subject} is progressing.`, now);
    if (current) {
      if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
      removeCondition(s, 'Progressing');
    }
    setCondition(s, cond);
  } else if (deploymentTimedOut(d, s, now)) {
    setCondition(s, newCondition('Progressing', 'False', reasons.timedOut, `${subject} has timed out progressing.`, now));
  }
}

/** requeueStuckDeployment: when to look again so a stalled rollout times out on time (ms), or undefined. */
export function stuckRequeueAfter(d: D, s: Status, now: Date): number | undefined {
  const cond = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !cond) return undefined;
  if (cond.reason === reasons.newRSAvailable || cond.reason === reasons.timedOut) return undefined;
  if (deploymentComplete(d, s)) return undefined;
  const after = Date.parse(cond.lastUpdateTime ?? '') + (d.spec!.progressDeadlineSeconds ?? 0) * 1000 - now.getTime();
  if (after < 1000) return 0;
  return after + 1000;
}

/** Status equality as reflect.DeepEqual sees it after a JSON round trip (0, empty and absent alike). */
export function sameStatus(a: D['status'] | Status | undefined, b: Status): boolean {
  return canonicalJSON(dropZeros(a)) === canonicalJSON(dropZeros(b));
}

function dropZeros(s: object | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s ?? {})) if (v !== 0 && v !== undefined) out[k] = v;
  return out;
}
