/**
 * @module The nominator (upstream nominator in the scheduling queue): pods that preemption
 * nominated to a node (status.nominatedNodeName) but that are not bound yet. While filtering
 * any other pod, the nominated pods of equal or higher priority count as already on their
 * node (upstream addNominatedPods), so the space preemption freed is not handed to someone
 * else in the meantime.
 */
import type { PodInfo } from './pod-info.ts';

export class Nominator {
  private readonly byNode = new Map<string, Map<string, PodInfo>>();
  private readonly nodeOf = new Map<string, string>();

  /** Nominates (or re-nominates) a pod; an empty node name removes the nomination. */
  add(info: PodInfo, nodeName: string): void {
    this.delete(info.key);
    if (!nodeName) return;
    let pods = this.byNode.get(nodeName);
    if (!pods) this.byNode.set(nodeName, (pods = new Map()));
    pods.set(info.key, info);
    this.nodeOf.set(info.key, nodeName);
  }

  delete(key: string): void {
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const pods = this.byNode.get(node);
    pods?.delete(key);
    if (pods?.size === 0) this.byNode.delete(node);
  }

  nominatedNode(key: string): string | undefined {
    return this.nodeOf.get(key);
  }

  /** Pods nominated to the node (any priority). */
  podsOn(nodeName: string): Iterable<PodInfo> {
    return this.byNode.get(nodeName)?.values() ?? [];
  }

  get size(): number {
    return this.nodeOf.size;
  }

  /** Whether any pod is nominated anywhere: lets the filter loop skip the lookup. */
  get empty(): boolean {
    return this.nodeOf.size === 0;
  }

  /**
   * Upstream updateNominatedPod for an informer update: the new status.nominatedNodeName
   * wins; when neither the old nor the new object carries one, a nomination this scheduler
   * made (not yet reflected in the status) is kept.
   */
  update(oldNominated: string | undefined, info: PodInfo): void {
    const fromStatus = info.pod.status?.nominatedNodeName ?? '';
    if (fromStatus) return this.add(info, fromStatus);
    const mine = this.nodeOf.get(info.key);
    if (!oldNominated && mine) return this.add(info, mine);
    this.delete(info.key);
  }
}
