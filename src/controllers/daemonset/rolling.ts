/**
 * @module The DaemonSet RollingUpdate plan (upstream daemon/update.go rollingUpdate): which
 * old pods to delete and which nodes get a surge pod, within maxUnavailable / maxSurge scaled
 * against the number of nodes that should run the daemon. Pure: the controller acts on it.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { isPodAvailable, isPodUpdated, type P } from './pods.ts';
import { nodeShouldRunDaemonPod } from './should-run.ts';
import { scaledValue } from '../../machinery/int-or-percent.ts';

type DS = DaemonSet & KubeObject;


/** True when the strategy lets a node briefly run an old and a new pod (util.AllowsSurge). */
export function allowsSurge(ds: DS): boolean {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  return ds.spec?.updateStrategy?.type === 'RollingUpdate' && !!ru && scaledValue(ru.maxSurge, 1, true) > 0;
}

/**
 * updatedDesiredNodeCounts: the nodes that should run the daemon, with maxSurge and
 * maxUnavailable scaled to their number. Nodes wanting a pod but having none join the map.
 */
export function desiredNodeCounts(ds: DS, nodes: readonly (Node & KubeObject)[], nodeToPods: Map<string, P[]>): { desired: number; maxSurge: number; maxUnavailable: number } {
  let desired = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired++;
    const name = node.metadata?.name ?? '';
    if (!nodeToPods.has(name)) nodeToPods.set(name, []);
  }
  const rolling = ds.spec?.updateStrategy?.type === 'RollingUpdate';
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  let maxUnavailable = rolling ? scaledValue(ru?.maxUnavailable, desired, true) : 0;
  const maxSurge = ru ? scaledValue(ru.maxSurge, desired, true) : 0;
  // An impossible configuration (both scaled to 0) still makes progress, one node at a time.
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { desired, maxSurge, maxUnavailable };
}

/**
 * findUpdatedPodsOnNode: the node's one new and one old pod (ignoring pods being deleted);
 * ok is false when a node has two of either, which the manage loop must first clean up.
 */
export function findUpdatedPodsOnNode(pods: readonly P[], hash: string, generation: number | undefined): { newPod?: P; oldPod?: P; ok: boolean } {
  let newPod: P | undefined;
  let oldPod: P | undefined;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

export interface RollingPlan {
  podsToDelete: string[];
  nodesNeedingPods: string[];
}

export function planRollingUpdate(ds: DS, nodes: readonly (Node & KubeObject)[], nodeToPods: Map<string, P[]>, hash: string, generation: number | undefined, now: Date): RollingPlan {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const { maxSurge, maxUnavailable } = desiredNodeCounts(ds, nodes, nodeToPods);
  const available = (p: P) => isPodAvailable(p, minReady, now);

  if (maxSurge === 0) {
    // Delete old pods while no more than maxUnavailable nodes are without an available pod.
    let numUnavailable = 0;
    const replacements: string[] = [];
    const candidates: string[] = [];
    for (const pods of nodeToPods.values()) {
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(pods, hash, generation);
      if (!ok) {
        numUnavailable++;
        continue;
      }
      if ((!oldPod && !newPod) || (oldPod && newPod)) numUnavailable++;
      else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (oldPod) {
        // An old pod that is not available anyway may be replaced at no cost.
        if (!available(oldPod)) replacements.push(oldPod.metadata!.name!);
        else if (numUnavailable < maxUnavailable) candidates.push(oldPod.metadata!.name!);
      }
    }
    const room = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    return { podsToDelete: [...replacements, ...candidates.slice(0, room)], nodesNeedingPods: [] };
  }

  // Surge: start a new pod beside the old one, delete the old one once the new one is available.
  const podsToDelete: string[] = [];
  const nodesNeedingPods: string[] = [];
  const perNode = [...nodeToPods].map(([nodeName, pods]) => ({ nodeName, ...findUpdatedPodsOnNode(pods, hash, generation) }));
  // Surges already under way count first, so map order never lets us exceed maxSurge.
  let numSurge = perNode.filter((n) => n.ok && n.oldPod && n.newPod && !available(n.newPod)).length;
  for (const { nodeName, newPod, oldPod, ok } of perNode) {
    if (!ok || !oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) nodesNeedingPods.push(nodeName);
      else if (numSurge < maxSurge) {
        numSurge++;
        nodesNeedingPods.push(nodeName);
      }
    } else if (available(newPod)) podsToDelete.push(oldPod.metadata!.name!);
  }
  return { podsToDelete, nodesNeedingPods };
}
