/**
 * @module FitError: why a pod fits no node, in upstream's exact wording —
 * `0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu.
 * preemption: …` — a histogram of filter reasons sorted as strings, with the PreFilter
 * message instead when PreFilter rejected the pod, and the PostFilter message appended.
 */
import type { NodeToStatus, Status } from './types.ts';

export interface Diagnosis {
  nodeToStatus: NodeToStatus;
  /** Status for nodes absent from nodeToStatus (e.g. "Preemption is not helpful…"). */
  absentNodesStatus?: Status;
  preFilterMsg?: string;
  postFilterMsg?: string;
  /** Plugins that rejected the pod (queueing hints). */
  unschedulablePlugins: Set<string>;
}

export class FitError extends Error {
  constructor(
    readonly numAllNodes: number,
    readonly diagnosis: Diagnosis,
  ) {
    super(noNodeAvailableMsg(numAllNodes));
    this.name = 'FitError';
  }

  /** The full message; computed late because PostFilter adds to the diagnosis. */
  fitMessage(): string {
    return fitErrorMessage(this.numAllNodes, this.diagnosis);
  }
}

export const noNodeAvailableMsg = (n: number) => `0/${n} nodes are available`;

export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `${noNodeAvailableMsg(numAllNodes)}:`;
  if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
  else {
    const reasons = new Map<string, number>();
    for (const s of d.nodeToStatus.values()) for (const r of s.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    const absent = numAllNodes - d.nodeToStatus.size;
    if (absent > 0 && d.absentNodesStatus) for (const r of d.absentNodesStatus.reasons) reasons.set(r, (reasons.get(r) ?? 0) + absent);
    const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort(goStringLess);
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}

/** Go's sort.Strings compares bytes, not locale order. */
function goStringLess(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
