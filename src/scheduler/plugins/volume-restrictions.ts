/**
 * @module VolumeRestrictions (upstream plugins/volumerestrictions; PreFilter, Filter and the
 * PreFilter extensions preemption uses): a ReadWriteOncePod claim already used by another
 * scheduled pod makes the pod unschedulable everywhere. Skiff's own rule on top: a
 * ReadWriteOnce claim used by a pod on node X may only be used by pods on X (upstream leaves
 * single-node attach to the CSI attacher; Skiff has none, so the scheduler enforces it).
 */
import type { CycleState, StateData } from '../framework/cycle-state.ts';
import type { Handle } from '../framework/handle.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import type { Snapshot } from '../framework/snapshot.ts';
import { skipStatus, unschedulable, type FilterPlugin, type PreFilterPlugin, type Status } from '../framework/types.ts';
import { listersFrom, podClaimNames, type VolumeListers } from './volume-listers.ts';

export const errReasonRWOPConflict = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';
export const errReasonRWOConflict = 'node(s) unavailable due to ReadWriteOnce PersistentVolumeClaim in use on another node';
const stateKey = 'PreFilterVolumeRestrictions';

class RestrictionState implements StateData {
  constructor(
    readonly rwop: Set<string>,
    readonly rwo: Set<string>,
    /** Other pods using one of the pod's RWOP claims. */
    public rwopConflicts: number,
    /** RWO claim → node name → pods there using it. */
    readonly rwoNodes: Map<string, Map<string, number>>,
  ) {}
  clone() {
    const nodes = new Map([...this.rwoNodes].map(([c, m]) => [c, new Map(m)]));
    return new RestrictionState(this.rwop, this.rwo, this.rwopConflicts, nodes);
  }
}

const modesOf = (l: VolumeListers, ns: string, name: string): string[] => {
  const c = l.claim(ns, name);
  return c?.status?.accessModes?.length ? c.status.accessModes : (c?.spec?.accessModes ?? []);
};

export class VolumeRestrictions implements PreFilterPlugin, FilterPlugin {
  static readonly pluginName = 'VolumeRestrictions';
  readonly name = VolumeRestrictions.pluginName;
  private readonly listers: VolumeListers | undefined;
  private readonly rwopRejected = unschedulable(VolumeRestrictions.pluginName, errReasonRWOPConflict);
  private readonly rwoRejected = unschedulable(VolumeRestrictions.pluginName, errReasonRWOConflict);

  constructor(h: Pick<Handle, 'informers'>, listers?: VolumeListers) {
    this.listers = listers ?? (h.informers ? listersFrom(h.informers) : undefined);
  }

  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status | null {
    if (!this.listers) return skipStatus;
    const rwop = new Set<string>();
    const rwo = new Set<string>();
    for (const n of podClaimNames(pod.pod)) {
      const modes = modesOf(this.listers, pod.namespace, n);
      if (modes.includes('ReadWriteOncePod')) rwop.add(n);
      else if (modes.includes('ReadWriteOnce')) rwo.add(n);
    }
    if (rwop.size === 0 && rwo.size === 0) return skipStatus;
    const st = new RestrictionState(rwop, rwo, 0, new Map());
    for (const node of snapshot.nodes) for (const other of node.pods.values()) this.count(st, pod, other, node.name, 1);
    state.write(stateKey, st);
    return null;
  }

  private count(st: RestrictionState, pod: PodInfo, other: PodInfo, nodeName: string, sign: 1 | -1): void {
    if (other.key === pod.key || other.namespace !== pod.namespace) return;
    for (const n of podClaimNames(other.pod)) {
      if (st.rwop.has(n)) st.rwopConflicts += sign;
      if (!st.rwo.has(n)) continue;
      let m = st.rwoNodes.get(n);
      if (!m) st.rwoNodes.set(n, (m = new Map()));
      const v = (m.get(nodeName) ?? 0) + sign;
      if (v > 0) m.set(nodeName, v);
      else m.delete(nodeName);
    }
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
    const st = state.read<RestrictionState>(stateKey);
    if (st) this.count(st, pod, added, node.name, 1);
  }

  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
    const st = state.read<RestrictionState>(stateKey);
    if (st) this.count(st, pod, removed, node.name, -1);
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status | null {
    const st = state.read<RestrictionState>(stateKey);
    if (!st) return null;
    if (st.rwopConflicts > 0) return this.rwopRejected;
    for (const m of st.rwoNodes.values()) if (m.size > 0 && !m.has(node.name)) return this.rwoRejected;
    return null;
  }
}
