/**
 * @module The RollingUpdate strategy (upstream rolling.go): grow the new ReplicaSet up to
 * replicas+maxSurge in total, shrink old ones while at least replicas-maxUnavailable stay
 * available (unhealthy old pods go first), and clean up old revisions once complete.
 */
import { activeSets, byCreation, maxUnavailable, newRSNewReplicas, sumAvailable, sumSpec } from './replicas.ts';
import type { Rollout } from './rollout.ts';
import { deploymentComplete } from './status.ts';
import { desiredReplicas, specReplicas, type RS, type Status } from './types.ts';

export async function rolloutRolling(r: Rollout): Promise<void> {
  const { newRS, oldRSs } = await r.allReplicaSets(true);
  const all = [...oldRSs, newRS];
  if (newRS && (await reconcileNewReplicaSet(r, all, newRS))) return r.syncRolloutStatus(all, newRS);
  if (newRS && (await reconcileOldReplicaSets(r, all, activeSets(oldRSs), newRS))) return r.syncRolloutStatus(all, newRS);
  if (deploymentComplete(r.d, (r.d.status ?? {}) as Status)) await r.cleanup(oldRSs);
  return r.syncRolloutStatus(all, newRS);
}

async function reconcileNewReplicaSet(r: Rollout, all: (RS | undefined)[], newRS: RS): Promise<boolean> {
  const want = desiredReplicas(r.d);
  if (specReplicas(newRS) === want) return false;
  if (specReplicas(newRS) > want) return (await r.scaleAndRecord(newRS, want))[0];
  return (await r.scaleAndRecord(newRS, newRSNewReplicas(r.d, all, newRS)))[0];
}

async function reconcileOldReplicaSets(r: Rollout, all: (RS | undefined)[], oldRSs: RS[], newRS: RS): Promise<boolean> {
  if (sumSpec(oldRSs) === 0) return false;
  const minAvailable = desiredReplicas(r.d) - maxUnavailable(r.d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = sumSpec(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const [cleaned, olds] = await cleanupUnhealthyReplicas(r, oldRSs, maxScaledDown);
  const scaledDown = await scaleDownOldForRollingUpdate(r, [...olds, newRS], olds);
  return cleaned + scaledDown > 0;
}

/** Scale down old sets' unavailable pods first: they cost no availability. */
async function cleanupUnhealthyReplicas(r: Rollout, oldRSs: RS[], maxCleanup: number): Promise<[number, RS[]]> {
  const sorted = [...oldRSs].sort(byCreation);
  let total = 0;
  const out: RS[] = [];
  for (const rs of sorted) {
    const available = rs.status?.availableReplicas ?? 0;
    if (total >= maxCleanup || specReplicas(rs) === 0 || specReplicas(rs) === available) {
      out.push(rs);
      continue;
    }
    const count = Math.min(maxCleanup - total, specReplicas(rs) - available);
    const [, updated] = await r.scaleAndRecord(rs, specReplicas(rs) - count);
    total += count;
    out.push(updated);
  }
  return [total, out];
}

async function scaleDownOldForRollingUpdate(r: Rollout, all: (RS | undefined)[], oldRSs: RS[]): Promise<number> {
  const minAvailable = desiredReplicas(r.d) - maxUnavailable(r.d);
  const available = sumAvailable(all);
  if (available <= minAvailable) return 0;
  const target = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= target) break;
    if (specReplicas(rs) === 0) continue;
    const count = Math.min(specReplicas(rs), target - total);
    await r.scaleAndRecord(rs, specReplicas(rs) - count);
    total += count;
  }
  return total;
}
