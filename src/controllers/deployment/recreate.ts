/**
 * @module The Recreate strategy (upstream recreate.go): scale every old ReplicaSet to zero,
 * wait until none of their pods is left running, then create/scale the new ReplicaSet to the
 * full count.
 */
import type { PodObject } from '../framework/pod-control.ts';
import { activeSets, sumActual } from './replicas.ts';
import type { Rollout } from './rollout.ts';
import { deploymentComplete } from './status.ts';
import { desiredReplicas, type RS, type Status } from './types.ts';

/** podsByOwner: pods of the Deployment keyed by their controlling ReplicaSet's uid. */
export async function rolloutRecreate(r: Rollout, podsByOwner: Map<string, PodObject[]>): Promise<void> {
  let { newRS, oldRSs } = await r.allReplicaSets(false);
  let all: (RS | undefined)[] = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of activeSets(oldRSs)) if ((await r.scaleAndRecord(rs, 0))[0]) scaledDown = true;
  if (scaledDown) return r.syncRolloutStatus(all, newRS);
  if (oldPodsRunning(newRS, oldRSs, podsByOwner)) return r.syncRolloutStatus(all, newRS);
  if (!newRS) {
    ({ newRS, oldRSs } = await r.allReplicaSets(true));
    all = [...oldRSs, newRS];
  }
  if (newRS) await r.scaleAndRecord(newRS, desiredReplicas(r.d));
  if (deploymentComplete(r.d, (r.d.status ?? {}) as Status)) await r.cleanup(oldRSs);
  return r.syncRolloutStatus(all, newRS);
}

function oldPodsRunning(newRS: RS | undefined, oldRSs: RS[], podsByOwner: Map<string, PodObject[]>): boolean {
  if (sumActual(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByOwner) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    for (const p of pods) {
      const phase = p.status?.phase;
      if (phase === 'Failed' || phase === 'Succeeded') continue;
      return true;
    }
  }
  return false;
}
