/**
 * @module The DaemonSet "manage" plan (upstream daemon_controller.go manage,
 * podsShouldBeOnNode, getUnscheduledPodsWithoutNode) and its status (updateDaemonSetStatus):
 * pure functions over the nodes and the DaemonSet's pods grouped by target node.
 */
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { allowsSurge } from './rolling.ts';
import { byCreationAndPhase, isPodAvailable, isPodReady, isPodUpdated, revisionHashLabel, type P } from './pods.ts';
import { nodeShouldRunDaemonPod, targetNodeName } from './should-run.ts';

type DS = DaemonSet & KubeObject;
type N = Node & KubeObject;

/** The DaemonSet's pods by the node they run on or are pinned to. */
export function podsByNode(pods: readonly P[]): Map<string, P[]> {
  const out = new Map<string, P[]>();
  for (const p of pods) {
    const node = targetNodeName(p);
    if (node === undefined) continue;
    let list = out.get(node);
    if (!list) out.set(node, (list = []));
    list.push(p);
  }
  return out;
}

export interface ManagePlan {
  nodesNeedingPods: string[];
  podsToDelete: string[];
  /** Failed pods found (to report), and failed pods held back by the per-node backoff. */
  failed: { pod: P; node: string }[];
  succeeded: { pod: P; node: string }[];
}

/**
 * For each node: create a pod where one should run and none is; delete failed or succeeded
 * pods, all but the oldest running pod (when surge is off; with surge, keep one new and one
 * old only while the new one is not yet available), and every pod where none may stay.
 * `mayDeleteFailed(node)` is the failed-pod backoff: false holds the deletion for now.
 */
export function planManage(ds: DS, nodes: readonly N[], nodeToPods: ReadonlyMap<string, P[]>, hash: string, now: Date, mayDeleteFailed: (node: string) => boolean): ManagePlan {
  const plan: ManagePlan = { nodesNeedingPods: [], podsToDelete: [], failed: [], succeeded: [] };
  const del = (p: P) => plan.podsToDelete.push(p.metadata!.name!);
  for (const node of nodes) {
    const name = node.metadata?.name ?? '';
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const pods = nodeToPods.get(name);
    if (shouldRun && !pods?.length) {
      plan.nodesNeedingPods.push(name);
      continue;
    }
    if (!shouldContinueRunning) {
      for (const p of pods ?? []) if (!p.metadata?.deletionTimestamp) del(p);
      continue;
    }
    const running: P[] = [];
    for (const p of pods ?? []) {
      if (p.metadata?.deletionTimestamp) continue;
      if (p.status?.phase === 'Failed') {
        if (!mayDeleteFailed(name)) continue;
        plan.failed.push({ pod: p, node: name });
        del(p);
      } else if (p.status?.phase === 'Succeeded') {
        plan.succeeded.push({ pod: p, node: name });
        del(p);
      } else running.push(p);
    }
    running.sort(byCreationAndPhase);
    if (!allowsSurge(ds)) {
      for (const p of running.slice(1)) del(p);
      continue;
    }
    if (running.length <= 1) {
      // Surging needs at least one pod that is not being deleted on the node.
      if (running.length === 0 && shouldRun) plan.nodesNeedingPods.push(name);
      continue;
    }
    let oldestNew: P | undefined;
    let oldestOld: P | undefined;
    for (const p of running) {
      if (p.metadata?.labels?.[revisionHashLabel] === hash) {
        if (!oldestNew) {
          oldestNew = p;
          continue;
        }
      } else if (!oldestOld) {
        oldestOld = p;
        continue;
      }
      del(p);
    }
    if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec?.minReadySeconds ?? 0, now))) del(oldestOld);
  }
  // Unscheduled pods pinned to nodes that are gone would never be scheduled or collected.
  const existing = new Set(nodes.map((n) => n.metadata?.name ?? ''));
  for (const [node, pods] of nodeToPods) if (!existing.has(node)) for (const p of pods) if (!p.spec?.nodeName) del(p);
  return plan;
}

export type DaemonCounts = Required<
  Pick<DaemonSetStatus, 'desiredNumberScheduled' | 'currentNumberScheduled' | 'numberMisscheduled' | 'numberReady' | 'updatedNumberScheduled' | 'numberAvailable' | 'numberUnavailable'>
>;

/** updateDaemonSetStatus's counts: per node that should run it, the oldest pod decides. */
export function daemonCounts(ds: DS, nodes: readonly N[], nodeToPods: ReadonlyMap<string, P[]>, hash: string, generation: number | undefined, now: Date): DaemonCounts {
  const c: DaemonCounts = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  for (const node of nodes) {
    const pods = [...(nodeToPods.get(node.metadata?.name ?? '') ?? [])];
    const scheduled = pods.length > 0;
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
      if (scheduled) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!scheduled) continue;
    c.currentNumberScheduled++;
    const pod = pods.sort(byCreationAndPhase)[0]!;
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, now)) c.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, generation)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}
