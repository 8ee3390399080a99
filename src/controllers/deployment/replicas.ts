/**
 * @module The replica arithmetic of rollouts (upstream deployment_util.go): maxSurge and
 * maxUnavailable resolved against the desired count (surge rounds up, unavailable down, both 0
 * means unavailable 1), how far the new ReplicaSet may grow, proportional shares when a
 * Deployment is scaled mid-rollout, and the ReplicaSet orderings the algorithms rely on.
 */
import { annotatedNumber, desiredReplicasAnnotation, maxReplicasAnnotation, revisionOf } from './revision.ts';
import { desiredReplicas, specReplicas, type D, type RS } from './types.ts';
import { scaledValue } from '../../machinery/int-or-percent.ts';


/** ResolveFenceposts: [surge, unavailable] for desired replicas. */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): [number, number] {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export const isRollingUpdate = (d: D): boolean => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

export function maxSurge(d: D): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', desiredReplicas(d))[0];
}

export function maxUnavailable(d: D): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  const u = resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', desired)[1];
  return Math.min(u, desired);
}

export const sumSpec = (sets: readonly (RS | undefined)[]): number => sets.reduce((n, rs) => n + specReplicas(rs), 0);
export const sumActual = (sets: readonly (RS | undefined)[]): number => sets.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
export const sumReady = (sets: readonly (RS | undefined)[]): number => sets.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
export const sumAvailable = (sets: readonly (RS | undefined)[]): number => sets.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

export const activeSets = (sets: readonly (RS | undefined)[]): RS[] => sets.filter((rs): rs is RS => !!rs && specReplicas(rs) > 0);

/** NewRSNewReplicas: the size the new ReplicaSet should have now. */
export function newRSNewReplicas(d: D, all: readonly (RS | undefined)[], newRS: RS | undefined): number {
  if (!isRollingUpdate(d)) return desiredReplicas(d);
  const current = sumSpec(all);
  const maxTotal = desiredReplicas(d) + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, desiredReplicas(d) - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

/** IsSaturated: the new set is at full size and fully available. */
export function isSaturated(d: D, rs: RS | undefined): boolean {
  if (!rs) return false;
  const want = desiredReplicas(d);
  return annotatedNumber(rs, desiredReplicasAnnotation) === want && specReplicas(rs) === want && (rs.status?.availableReplicas ?? 0) === want;
}

const created = (rs: RS): number => Date.parse(rs.metadata?.creationTimestamp ?? '') || 0;

/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreation(a: RS, b: RS): number {
  return created(a) - created(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** ReplicaSetsByRevision: lowest revision first, then oldest. */
export function byRevision(a: RS, b: RS): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}

/** ReplicaSetsBySizeNewer: larger first, newer first on ties. */
export function bySizeNewer(a: RS, b: RS): number {
  return specReplicas(b) - specReplicas(a) || byCreation(b, a);
}

/** ReplicaSetsBySizeOlder: larger first, older first on ties. */
export function bySizeOlder(a: RS, b: RS): number {
  return specReplicas(b) - specReplicas(a) || byCreation(a, b);
}

/** FindActiveOrLatest: the one active set, or the newest when none is active; else undefined. */
export function findActiveOrLatest(newRS: RS | undefined, olds: readonly RS[]): RS | undefined {
  if (!newRS && olds.length === 0) return undefined;
  const sortedOld = [...olds].sort((a, b) => byCreation(b, a));
  const active = activeSets([...sortedOld, newRS]);
  if (active.length === 0) return newRS ?? sortedOld[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** getReplicaSetFraction: how much rs should grow or shrink for the Deployment's new size. */
function fraction(rs: RS, d: D): number {
  if (desiredReplicas(d) === 0) return -specReplicas(rs);
  const deploymentReplicas = desiredReplicas(d) + maxSurge(d);
  const annotated = annotatedNumber(rs, maxReplicasAnnotation) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  return Math.round((specReplicas(rs) * deploymentReplicas) / annotated) - specReplicas(rs);
}

/** GetProportion: rs's share of toAdd, bounded by what is still left to add. */
export function proportion(rs: RS, d: D, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const f = fraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(f, allowed) : Math.max(f, allowed);
}
