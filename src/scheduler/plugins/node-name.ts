/**
 * @module NodeName (PreFilter, Filter): a pod that names a node in spec.nodeName fits only
 * that node. A pod naming none passes every node, so PreFilter skips the Filter for it (the
 * result is the same as upstream's; it saves one call per node on the common path).
 */
import type { CycleState } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { skipStatus, unresolvable, type FilterPlugin, type PreFilterPlugin, type Status } from '../framework/types.ts';

export const errReasonNodeName = "node(s) didn't match the requested node name";

export class NodeName implements PreFilterPlugin, FilterPlugin {
  static readonly pluginName = 'NodeName';
  readonly name = NodeName.pluginName;
  private readonly rejected = unresolvable(NodeName.pluginName, errReasonNodeName);

  preFilter(_s: CycleState, pod: PodInfo): Status | null {
    return pod.pod.spec?.nodeName ? null : skipStatus;
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const want = pod.pod.spec?.nodeName;
    return want && want !== node.name ? this.rejected : null;
  }
}
