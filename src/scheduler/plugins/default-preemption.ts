/**
 * @module DefaultPreemption (PostFilter): when a pod fits nowhere, find nodes where removing
 * lower-priority pods would make it fit, keep as many of those pods as possible (PDB-
 * protected ones first), pick the node whose victims matter least, delete the victims via
 * the API and nominate the node (status.nominatedNodeName). Messages follow upstream:
 * `preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.`
 */
import { refs } from '../../client/refs.ts';
import { selectorFromLabelSelector } from '../../machinery/labels.ts';
import { isNotFound } from '../../machinery/status.ts';
import type { CycleState } from '../framework/cycle-state.ts';
import { fitErrorMessage } from '../framework/fit-error.ts';
import type { Handle } from '../framework/handle.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo, PodObject } from '../framework/pod-info.ts';
import { Code, Status, unresolvable, type NodeToStatus, type PostFilterPlugin, type PostFilterResult } from '../framework/types.ts';

const minCandidateNodesPercentage = 10;
const minCandidateNodesAbsolute = 100;

interface Candidate {
  node: string;
  victims: PodInfo[];
  pdbViolations: number;
}

export class DefaultPreemption implements PostFilterPlugin {
  static readonly pluginName = 'DefaultPreemption';
  readonly name = DefaultPreemption.pluginName;

  constructor(private readonly handle: Handle) {}

  async postFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus): Promise<{ result?: PostFilterResult; status: Status | null }> {
    const r = await this.preempt(state, pod, statuses);
    if (r.status && r.status.message) return { result: r.result, status: new Status(r.status.code, [`preemption: ${r.status.message}`], this.name) };
    return r;
  }

  private async preempt(state: CycleState, pod: PodInfo, statuses: NodeToStatus): Promise<{ result?: PostFilterResult; status: Status | null }> {
    const latest = this.handle.getPod(pod.namespace, pod.name) ?? pod.pod;
    const ineligible = this.notEligible(latest, pod, statuses);
    if (ineligible) return { status: new Status(Code.Unschedulable, [ineligible], this.name) };

    const snapshot = this.handle.snapshot;
    const all = snapshot.nodes;
    const potential = all.filter((n) => statuses.get(n.name)?.code === Code.Unschedulable);
    const nodeStatuses: NodeToStatus = new Map();
    const candidates: Candidate[] = [];
    if (potential.length) {
      const want = Math.min(potential.length, Math.max(minCandidateNodesAbsolute, Math.floor((potential.length * minCandidateNodesPercentage) / 100)));
      const offset = Math.floor(Math.random() * potential.length);
      for (let i = 0; i < potential.length && candidates.length < want; i++) {
        const node = potential[(offset + i) % potential.length]!;
        const res = this.selectVictims(state, pod, node);
        if (res instanceof Status) nodeStatuses.set(node.name, res);
        else candidates.push({ node: node.name, ...res });
      }
    }
    if (candidates.length === 0) {
      const msg = fitErrorMessage(all.length, {
        nodeToStatus: nodeStatuses,
        absentNodesStatus: unresolvable(this.name, 'Preemption is not helpful for scheduling'),
        unschedulablePlugins: new Set(),
      });
      return { result: { nominatedNodeName: '' }, status: new Status(Code.Unschedulable, [msg], this.name) };
    }
    const best = pickCandidate(candidates);
    await this.prepare(best, latest);
    await this.clearLowerPriorityNominations(pod, best.node);
    return { result: { nominatedNodeName: best.node }, status: null };
  }

  private notEligible(latest: PodObject, pod: PodInfo, statuses: NodeToStatus): string | undefined {
    if (latest.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
    const nominated = latest.status?.nominatedNodeName;
    if (!nominated || statuses.get(nominated)?.code === Code.UnschedulableAndUnresolvable) return undefined;
    const node = this.handle.snapshot.get(nominated);
    for (const p of node?.pods.values() ?? [])
      if (p.priority < pod.priority && p.pod.metadata?.deletionTimestamp && terminatingByPreemption(p.pod))
        return 'not eligible due to a terminating pod on the nominated node.';
    return undefined;
  }

  /** Upstream SelectVictimsOnNode, on a copy of the node and of the cycle state. */
  private selectVictims(parentState: CycleState, pod: PodInfo, original: NodeInfo): Status | { victims: PodInfo[]; pdbViolations: number } {
    const fw = this.handle.framework!;
    const state = parentState.clone();
    const node = original.clone();
    const filters = fw.activeFilters(state);
    const potential = [...node.pods.values()].filter((p) => p.priority < pod.priority);
    if (potential.length === 0) return unresolvable(this.name, 'No preemption victims found for incoming pod');
    for (const p of potential) {
      node.removePod(p.key);
      fw.runPreFilterRemovePod(state, pod, p, node);
    }
    const nominator = this.handle.nominator;
    const fits = fw.runFiltersWithNominatedPods(filters, state, pod, node, nominator);
    if (fits) return fits;
    // Most important first, so they are the first to be given back to the node.
    potential.sort(moreImportant);
    const { violating, nonViolating } = splitByPdb(potential, this.handle.pdbs());
    const victims: PodInfo[] = [];
    let pdbViolations = 0;
    const reprieve = (p: PodInfo): boolean => {
      node.addPod(p);
      fw.runPreFilterAddPod(state, pod, p, node);
      if (fw.runFiltersWithNominatedPods(filters, state, pod, node, nominator) === null) return true;
      node.removePod(p.key);
      fw.runPreFilterRemovePod(state, pod, p, node);
      victims.push(p);
      return false;
    };
    for (const p of violating) if (!reprieve(p)) pdbViolations++;
    for (const p of nonViolating) reprieve(p);
    if (violating.length && nonViolating.length) victims.sort(moreImportant);
    return { victims, pdbViolations };
  }

  /**
   * Upstream prepareCandidate: lower-priority pods nominated to the chosen node may no
   * longer fit there, so their nomination is dropped (in memory at once, and
   * status.nominatedNodeName cleared through the API) and they look for another place.
   */
  private async clearLowerPriorityNominations(preemptor: PodInfo, nodeName: string): Promise<void> {
    const lower = [...this.handle.nominator.podsOn(nodeName)].filter((p) => p.priority < preemptor.priority && p.key !== preemptor.key);
    if (lower.length === 0) return;
    const pods = this.handle.client.resource<PodObject>(refs.pods);
    await Promise.all(
      lower.map(async (p) => {
        this.handle.nominator.delete(p.key);
        try {
          await pods.patch(p.name, 'merge', { status: { nominatedNodeName: null } }, { namespace: p.namespace, subresource: 'status' });
        } catch (err) {
          if (!isNotFound(err)) this.handle.logger.warn('preemption: could not clear nominatedNodeName', { pod: p.key, err: err as Error });
        }
      }),
    );
    this.handle.requeue?.(lower.map((p) => p.key));
  }

  private async prepare(c: Candidate, preemptor: PodObject): Promise<void> {
    const pods = this.handle.client.resource<PodObject>(refs.pods);
    const schedulerName = preemptor.spec?.schedulerName ?? 'default-scheduler';
    await Promise.all(
      c.victims.map(async (v) => {
        try {
          const condition = { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: `${schedulerName}: preempting to accommodate a higher priority pod`, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
          await pods.patch(v.name, 'strategic', { status: { conditions: [condition] } }, { namespace: v.namespace, subresource: 'status' });
          await pods.delete(v.name, { namespace: v.namespace });
          this.handle.recorder.event(v.pod, 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata?.uid ?? ''} on node ${c.node}`);
        } catch (err) {
          if (!isNotFound(err)) this.handle.logger.warn('preemption: could not delete victim', { victim: v.key, err: err as Error });
        }
      }),
    );
  }
}

function terminatingByPreemption(p: PodObject): boolean {
  const c = p.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
  return c?.status === 'True' && c.reason === 'PreemptionByScheduler';
}

const startTime = (p: PodInfo) => Date.parse(p.pod.status?.startTime ?? p.pod.metadata?.creationTimestamp ?? '') || 0;

/** Upstream MoreImportantPod: higher priority, then the one that started earlier. */
function moreImportant(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return startTime(a) - startTime(b);
}

function splitByPdb(pods: PodInfo[], pdbs: Handle['pdbs'] extends () => infer R ? R : never): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map((p) => selectorFromLabelSelector(p.spec?.selector));
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const p of pods) {
    let violated = false;
    if (Object.keys(p.labels).length)
      pdbs.forEach((pdb, i) => {
        if (pdb.metadata?.namespace !== p.namespace) return;
        const sel = selectors[i]!;
        if (sel.everything || sel.nothing || !sel.matches(p.labels)) return;
        if (pdb.status?.disruptedPods?.[p.name]) return;
        if (--allowed[i]! < 0) violated = true;
      });
    (violated ? violating : nonViolating).push(p);
  }
  return { violating, nonViolating };
}

/** Upstream pickOneNodeForPreemption, first criteria: fewest PDB violations, then the lowest
 * highest-victim priority, the lowest priority sum, the fewest victims. */
function pickCandidate(cs: Candidate[]): Candidate {
  const highest = (c: Candidate) => (c.victims.length ? c.victims[0]!.priority : -Infinity);
  const sum = (c: Candidate) => c.victims.reduce((s, v) => s + v.priority + 2 ** 31, 0);
  const keys: ((c: Candidate) => number)[] = [(c) => c.pdbViolations, highest, sum, (c) => c.victims.length];
  let pool = cs;
  for (const k of keys) {
    const min = Math.min(...pool.map(k));
    pool = pool.filter((c) => k(c) === min);
    if (pool.length === 1) break;
  }
  return pool[0]!;
}
