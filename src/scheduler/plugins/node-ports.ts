/**
 * @module NodePorts (PreFilter, Filter): a pod's hostPorts must be free on the node
 * (same protocol and port, and the same IP or 0.0.0.0 on either side, conflict).
 */
import type { CycleState } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { skipStatus, unschedulable, type FilterPlugin, type PreFilterPlugin, type Status } from '../framework/types.ts';

export const errReasonPorts = "node(s) didn't have free ports for the requested pod ports";

export class NodePorts implements PreFilterPlugin, FilterPlugin {
  static readonly pluginName = 'NodePorts';
  readonly name = NodePorts.pluginName;
  private readonly rejected = unschedulable(NodePorts.pluginName, errReasonPorts);

  preFilter(_s: CycleState, pod: PodInfo): Status | null {
    return pod.hostPorts.length === 0 ? skipStatus : null;
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    for (const hp of pod.hostPorts) if (node.portConflicts(hp)) return this.rejected;
    return null;
  }
}
