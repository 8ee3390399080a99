/**
 * @module NodeInfo: one node as the plugins see it — allocatable, the sum of its pods'
 * requests (and non-zero requests for scoring), its pods, the pods with (anti-)affinity,
 * used host ports and images. Kept current incrementally as pods come and go.
 */
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { HostPort, PodInfo } from './pod-info.ts';
import { Resource } from './resource.ts';

export type NodeObject = Node & KubeObject;

export class NodeInfo {
  node: NodeObject | undefined;
  labels: Readonly<Record<string, string>> = {};
  taints: readonly Taint[] = [];
  unschedulable = false;
  allocatable = new Resource();
  readonly requested = new Resource();
  nonZeroCPU = 0;
  nonZeroMemory = 0;
  readonly pods = new Map<string, PodInfo>();
  readonly podsWithAffinity = new Map<string, PodInfo>();
  readonly podsWithRequiredAntiAffinity = new Map<string, PodInfo>();
  /** `protocol/port` → host IPs in use. */
  readonly usedPorts = new Map<string, Set<string>>();
  /** Image name (every tag/digest name) → size in bytes. */
  images = new Map<string, number>();
  /** Bumped on every change, so callers can tell a stale view. */
  generation = 0;
  /**
   * Copies of the figures the filter and score loops read for every node of every cycle
   * (allocatable and requested cpu/memory, pod count and limit), kept on this object so
   * those loops touch one object per node instead of three or four — with thousands of
   * nodes visited round-robin, the extra objects are cache misses.
   */
  allocMilliCPU = 0;
  allocMemory = 0;
  allowedPods = 0;
  reqMilliCPU = 0;
  reqMemory = 0;
  numPods = 0;

  constructor(readonly name: string) {}

  setNode(node: NodeObject): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = node.spec?.unschedulable === true;
    const a = (this.allocatable = Resource.fromList(node.status?.allocatable ?? node.status?.capacity));
    this.allocMilliCPU = a.milliCPU;
    this.allocMemory = a.memory;
    this.allowedPods = a.allowedPodNumber;
    const images = new Map<string, number>();
    for (const img of node.status?.images ?? []) for (const n of img.names ?? []) images.set(n, img.sizeBytes ?? 0);
    this.images = images;
    this.generation++;
  }

  addPod(p: PodInfo): void {
    if (this.pods.has(p.key)) this.removePod(p.key);
    this.pods.set(p.key, p);
    if (p.hasAffinity) this.podsWithAffinity.set(p.key, p);
    if (p.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity.set(p.key, p);
    this.requested.add(p.requests);
    this.syncCopies();
    this.nonZeroCPU += p.nonZeroCPU;
    this.nonZeroMemory += p.nonZeroMemory;
    for (const hp of p.hostPorts) this.usePort(hp, 1);
    this.generation++;
  }

  /** Swaps in a newer PodInfo of a pod already here whose requests, ports and terms are the same objects. */
  replacePod(p: PodInfo): void {
    if (!this.pods.has(p.key)) return this.addPod(p);
    this.pods.set(p.key, p);
    if (this.podsWithAffinity.has(p.key)) this.podsWithAffinity.set(p.key, p);
    if (this.podsWithRequiredAntiAffinity.has(p.key)) this.podsWithRequiredAntiAffinity.set(p.key, p);
    this.generation++;
  }

  removePod(key: string): PodInfo | undefined {
    const p = this.pods.get(key);
    if (!p) return undefined;
    this.pods.delete(key);
    this.podsWithAffinity.delete(key);
    this.podsWithRequiredAntiAffinity.delete(key);
    this.requested.add(p.requests, -1);
    this.syncCopies();
    this.nonZeroCPU -= p.nonZeroCPU;
    this.nonZeroMemory -= p.nonZeroMemory;
    for (const hp of p.hostPorts) this.usePort(hp, -1);
    this.generation++;
    return p;
  }

  /** Refreshes the flat copies of `requested` and the pod count after a pod add or remove. */
  private syncCopies(): void {
    this.reqMilliCPU = this.requested.milliCPU;
    this.reqMemory = this.requested.memory;
    this.numPods = this.pods.size;
  }

  private usePort(hp: HostPort, sign: 1 | -1): void {
    const k = `${hp.protocol}/${hp.port}`;
    let ips = this.usedPorts.get(k);
    if (sign > 0) {
      if (!ips) this.usedPorts.set(k, (ips = new Set()));
      ips.add(hp.ip);
    } else if (ips) {
      ips.delete(hp.ip);
      if (ips.size === 0) this.usedPorts.delete(k);
    }
  }

  /** Whether a wanted host port collides; 0.0.0.0 on either side conflicts with every IP. */
  portConflicts(hp: HostPort): boolean {
    const ips = this.usedPorts.get(`${hp.protocol}/${hp.port}`);
    if (!ips) return false;
    if (hp.ip === '0.0.0.0') return ips.size > 0;
    return ips.has('0.0.0.0') || ips.has(hp.ip);
  }

  /** A copy preemption may mutate ("what if these pods were gone"). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    if (this.node) c.setNode(this.node);
    for (const p of this.pods.values()) c.addPod(p);
    return c;
  }
}
