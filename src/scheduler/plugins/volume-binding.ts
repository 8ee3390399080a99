/**
 * @module VolumeBinding (upstream plugins/volumebinding; PreFilter, Filter, Reserve,
 * Unreserve, PreBind): a pod's claims must exist; an unbound claim of an Immediate class
 * makes the pod wait for the PV controller; a bound claim's volume must be reachable from the
 * node (PV node affinity); an unbound WaitForFirstConsumer claim needs, on that node, an
 * Available volume that fits or a provisioner that can provision there. Reserve assumes the
 * choice in memory (so concurrent cycles do not pick the same volume), PreBind writes it —
 * `spec.claimRef` on a chosen static volume, `volume.kubernetes.io/selected-node` on a claim
 * to provision — and waits (bounded) until every claim is Bound. Unreserve drops the
 * in-memory assumption, as upstream's revertAssumedPVs does; API writes stay.
 */
import { refs } from '../../client/refs.ts';
import type { CycleState, StateData } from '../framework/cycle-state.ts';
import type { Handle } from '../framework/handle.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { Code, Status, errorStatus, skipStatus, unresolvable, type FilterPlugin, type PreBindPlugin, type PreFilterPlugin, type ReservePlugin } from '../framework/types.ts';
import {
  annBoundByController,
  annSelectedNode,
  canProvisionOn,
  claimClass,
  findVolumeForNode,
  listersFrom,
  podClaimNames,
  volumeFitsNode,
  type PV,
  type PVC,
  type VolumeListers,
} from './volume-listers.ts';

export const errReasonBindConflict = "node(s) didn't find available persistent volumes to bind";
export const errReasonNodeConflict = 'node(s) had volume node affinity conflict';
export const errReasonUnboundImmediate = 'pod has unbound immediate PersistentVolumeClaims';
export const errReasonNotExistPV = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
const stateKey = 'PreFilterVolumeBinding';

/** What one node would need: static volumes to pre-bind, claims to provision there. */
interface NodeDecision {
  bind: { claim: PVC; pv: PV }[];
  provision: PVC[];
}

class BindingState implements StateData {
  readonly decisions = new Map<string, NodeDecision>();
  constructor(
    readonly bound: PVC[],
    readonly delayed: PVC[],
  ) {}
  clone() {
    return this;
  }
}

export interface VolumeBindingOptions {
  /** How long PreBind waits for the claims to become Bound (upstream bindTimeout 600 s; Skiff 30 s). */
  bindTimeoutMs?: number;
  pollMs?: number;
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin {
  static readonly pluginName = 'VolumeBinding';
  readonly name = VolumeBinding.pluginName;
  /** Volume name → claim key, chosen by a cycle whose PreBind has not finished. */
  private readonly assumed = new Map<string, string>();
  /** Pods this plugin looked at that may be waiting for a claim/volume change. */
  private readonly waiting = new Set<string>();
  private readonly listers: VolumeListers | undefined;

  constructor(
    private readonly h: Pick<Handle, 'client' | 'requeue' | 'informers'>,
    listers?: VolumeListers,
    private readonly opts: VolumeBindingOptions = {},
  ) {
    this.listers = listers ?? (h.informers ? listersFrom(h.informers) : undefined);
    this.listers?.onChange(() => {
      if (this.waiting.size === 0 || !this.h.requeue) return;
      const keys = [...this.waiting];
      this.waiting.clear();
      this.h.requeue(keys);
    });
  }

  preFilter(state: CycleState, pod: PodInfo): Status | null {
    const names = podClaimNames(pod.pod);
    if (names.length === 0 || !this.listers) return skipStatus;
    const bound: PVC[] = [];
    const delayed: PVC[] = [];
    let immediate = false;
    for (const name of names) {
      const c = this.listers.claim(pod.namespace, name);
      if (!c) return this.wait(pod, unresolvable(this.name, `persistentvolumeclaim "${name}" not found`));
      if (c.metadata?.deletionTimestamp) return this.wait(pod, unresolvable(this.name, `persistentvolumeclaim "${name}" is being deleted`));
      if (c.spec?.volumeName) {
        bound.push(c);
        continue;
      }
      const sc = this.listers.storageClass(claimClass(c));
      if (sc?.volumeBindingMode === 'WaitForFirstConsumer') delayed.push(c);
      else immediate = true;
    }
    if (immediate) return this.wait(pod, unresolvable(this.name, errReasonUnboundImmediate));
    state.write(stateKey, new BindingState(bound, delayed));
    return null;
  }

  private wait(pod: PodInfo, s: Status): Status {
    this.waiting.add(pod.key);
    return s;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const st = state.read<BindingState>(stateKey);
    if (!st || !this.listers) return null;
    const reasons: string[] = [];
    for (const c of st.bound) {
      const pv = this.listers.volume(c.spec!.volumeName!);
      if (!pv) return this.wait(pod, unresolvable(this.name, errReasonNotExistPV));
      if (!volumeFitsNode(pv, node)) {
        reasons.push(errReasonNodeConflict);
        break;
      }
    }
    const decision: NodeDecision = { bind: [], provision: [] };
    const taken = new Set(this.assumed.keys());
    for (const c of st.delayed) {
      const pv = findVolumeForNode(c, this.listers.volumes(), node, taken);
      if (pv) {
        taken.add(pv.metadata!.name!);
        decision.bind.push({ claim: c, pv });
        continue;
      }
      const sc = this.listers.storageClass(claimClass(c));
      if (sc && canProvisionOn(sc, node)) decision.provision.push(c);
      else {
        reasons.push(errReasonBindConflict);
        break;
      }
    }
    if (reasons.length) return this.wait(pod, new Status(Code.UnschedulableAndUnresolvable, reasons, this.name));
    st.decisions.set(node.name, decision);
    return null;
  }

  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status | null {
    const d = state.read<BindingState>(stateKey)?.decisions.get(nodeName);
    for (const { pv } of d?.bind ?? []) {
      const name = pv.metadata!.name!;
      if (this.assumed.has(name)) return unresolvable(this.name, errReasonBindConflict);
      this.assumed.set(name, pod.key);
    }
    return null;
  }

  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    const d = state.read<BindingState>(stateKey)?.decisions.get(nodeName);
    for (const { pv } of d?.bind ?? []) if (this.assumed.get(pv.metadata!.name!) === pod.key) this.assumed.delete(pv.metadata!.name!);
  }

  async preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null> {
    const st = state.read<BindingState>(stateKey);
    if (!st) return null;
    const d = st.decisions.get(nodeName) ?? { bind: [], provision: [] };
    try {
      for (const { claim, pv } of d.bind) await this.preBindVolume(claim, pv);
      for (const claim of d.provision) await this.selectNode(claim, nodeName);
      const ok = await this.waitBound(pod.namespace, [...st.bound, ...st.delayed].map((c) => c.metadata!.name!));
      if (!ok) return new Status(Code.Error, ['binding volumes: timed out waiting for the condition'], this.name);
    } catch (err) {
      return errorStatus(this.name, err);
    } finally {
      for (const { pv } of d.bind) if (this.assumed.get(pv.metadata!.name!) === pod.key) this.assumed.delete(pv.metadata!.name!);
    }
    this.waiting.delete(pod.key);
    return null;
  }

  /** Upstream bindAPIUpdate: the volume's claimRef names the claim; the PV controller finishes. */
  private async preBindVolume(claim: PVC, pv: PV): Promise<void> {
    const r = pv.spec?.claimRef;
    if (r?.uid === claim.metadata?.uid) return;
    const pvs = this.h.client.resource<PV>(refs.persistentvolumes);
    const live = await pvs.get(pv.metadata!.name!);
    if (live.spec?.claimRef && live.spec.claimRef.uid && live.spec.claimRef.uid !== claim.metadata?.uid) throw new Error(`volume "${pv.metadata?.name}" was bound to another claim`);
    await pvs.update({
      ...live,
      metadata: { ...live.metadata, annotations: { ...live.metadata?.annotations, [annBoundByController]: 'yes' } },
      spec: {
        ...live.spec,
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata?.namespace, name: claim.metadata?.name, uid: claim.metadata?.uid, resourceVersion: claim.metadata?.resourceVersion },
      },
    });
  }

  private async selectNode(claim: PVC, nodeName: string): Promise<void> {
    if (claim.metadata?.annotations?.[annSelectedNode] === nodeName) return;
    await this.claims().patch(claim.metadata!.name!, 'merge', { metadata: { annotations: { [annSelectedNode]: nodeName } } }, { namespace: claim.metadata?.namespace });
  }

  private claims() {
    return this.h.client.resource<PVC>(refs.persistentvolumeclaims);
  }

  /** Polls the informer cache (no API load) until every claim is Bound, up to the timeout. */
  private async waitBound(namespace: string, names: string[]): Promise<boolean> {
    const deadline = Date.now() + (this.opts.bindTimeoutMs ?? 30_000);
    const poll = this.opts.pollMs ?? 100;
    for (;;) {
      if (names.every((n) => this.listers?.claim(namespace, n)?.status?.phase === 'Bound')) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, poll));
    }
  }
}
