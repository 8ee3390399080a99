/**
 * @module The scheduler's view of the cluster (upstream's cache and snapshot in one): a
 * NodeInfo per node, updated incrementally from informer events and from the scheduler's own
 * "assumed" pods (placed on a node before the binding is written, so the next cycle already
 * sees the space as used). A scheduling cycle runs synchronously on this one thread, so it
 * reads the live structure without copying it.
 */
import { NodeInfo, type NodeObject } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';

interface PodState {
  info: PodInfo;
  nodeName: string;
  /** Placed by this scheduler, binding not yet observed from the API. */
  assumed: boolean;
}

export class Snapshot {
  private readonly infos = new Map<string, NodeInfo>();
  /** Nodes that exist (have a Node object), in a stable order for round-robin filtering. */
  private readonly list: NodeInfo[] = [];
  private readonly listIndex = new Map<string, number>();
  private readonly podStates = new Map<string, PodState>();
  /** Nodes with at least one pod with (anti-)affinity: what InterPodAffinity must visit. */
  readonly havePodsWithAffinity = new Set<NodeInfo>();
  readonly havePodsWithRequiredAntiAffinity = new Set<NodeInfo>();
  /** Image name → number of nodes that have it (ImageLocality's spread factor). */
  readonly imageNodeCount = new Map<string, number>();
  private readonly nsLabels = new Map<string, Readonly<Record<string, string>>>();

  get nodes(): readonly NodeInfo[] {
    return this.list;
  }

  get numNodes(): number {
    return this.list.length;
  }

  get(name: string): NodeInfo | undefined {
    const n = this.infos.get(name);
    return n?.node ? n : undefined;
  }

  namespaceLabels = (ns: string): Readonly<Record<string, string>> | undefined => this.nsLabels.get(ns);

  setNamespace(name: string, labels: Readonly<Record<string, string>> | undefined): void {
    if (labels) this.nsLabels.set(name, labels);
    else this.nsLabels.delete(name);
  }

  private infoFor(name: string): NodeInfo {
    let n = this.infos.get(name);
    if (!n) this.infos.set(name, (n = new NodeInfo(name)));
    return n;
  }

  upsertNode(node: NodeObject): void {
    const name = node.metadata?.name ?? '';
    const n = this.infoFor(name);
    if (n.node) this.countImages(n, -1);
    n.setNode(node);
    this.countImages(n, 1);
    if (!this.listIndex.has(name)) {
      this.listIndex.set(name, this.list.length);
      this.list.push(n);
    }
    this.trackAffinity(n);
  }

  removeNode(name: string): void {
    const n = this.infos.get(name);
    if (!n) return;
    if (n.node) this.countImages(n, -1);
    n.node = undefined;
    const i = this.listIndex.get(name);
    if (i !== undefined) {
      const last = this.list.pop()!;
      if (last !== n) {
        this.list[i] = last;
        this.listIndex.set(last.name, i);
      }
      this.listIndex.delete(name);
    }
    // Pods may still point at a deleted node until their own deletes arrive.
    if (n.pods.size === 0) this.infos.delete(name);
    this.havePodsWithAffinity.delete(n);
    this.havePodsWithRequiredAntiAffinity.delete(n);
  }

  private countImages(n: NodeInfo, sign: 1 | -1): void {
    for (const name of n.images.keys()) {
      const c = (this.imageNodeCount.get(name) ?? 0) + sign;
      if (c <= 0) this.imageNodeCount.delete(name);
      else this.imageNodeCount.set(name, c);
    }
  }

  /** An assigned pod seen from the API: confirms an assumed pod, or adds / moves it. */
  addPod(info: PodInfo, nodeName: string): void {
    const prior = this.podStates.get(info.key);
    if (prior && prior.nodeName === nodeName && prior.info.requests === info.requests) {
      // A newer version sharing the derived data (PodInfo.withPod), usually the binding of an
      // assumed pod: the node's sums stay as they are, only the object is swapped.
      this.infos.get(nodeName)?.replacePod(info);
      prior.info = info;
      prior.assumed = false;
      return;
    }
    if (prior) this.detach(prior);
    this.podStates.set(info.key, { info, nodeName, assumed: false });
    this.attach(info, nodeName);
  }

  removePod(key: string): void {
    const prior = this.podStates.get(key);
    if (!prior) return;
    this.detach(prior);
    this.podStates.delete(key);
  }

  /** Places a pod on a node before its binding is written. */
  assume(info: PodInfo, nodeName: string): void {
    this.removePod(info.key);
    this.podStates.set(info.key, { info, nodeName, assumed: true });
    this.attach(info, nodeName);
  }

  /** Undoes `assume` after a failed binding (no-op once the API confirmed the pod). */
  forget(key: string): void {
    const s = this.podStates.get(key);
    if (s?.assumed) this.removePod(key);
  }

  isAssumed(key: string): boolean {
    return this.podStates.get(key)?.assumed === true;
  }

  /** The PodInfo the snapshot holds for a pod (assumed or confirmed). */
  podInfoOf(key: string): PodInfo | undefined {
    return this.podStates.get(key)?.info;
  }

  nodeOf(key: string): string | undefined {
    return this.podStates.get(key)?.nodeName;
  }

  private attach(info: PodInfo, nodeName: string): void {
    const n = this.infoFor(nodeName);
    n.addPod(info);
    this.trackAffinity(n);
  }

  private detach(s: PodState): void {
    const n = this.infos.get(s.nodeName);
    if (!n) return;
    n.removePod(s.info.key);
    this.trackAffinity(n);
    if (!n.node && n.pods.size === 0) this.infos.delete(n.name);
  }

  private trackAffinity(n: NodeInfo): void {
    if (n.podsWithAffinity.size > 0 && n.node) this.havePodsWithAffinity.add(n);
    else this.havePodsWithAffinity.delete(n);
    if (n.podsWithRequiredAntiAffinity.size > 0 && n.node) this.havePodsWithRequiredAntiAffinity.add(n);
    else this.havePodsWithRequiredAntiAffinity.delete(n);
  }
}
