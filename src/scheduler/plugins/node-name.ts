/**
 * @module NodeName (Filter): a pod that names a node in spec.nodeName fits only that node.
 */
import type { CycleState } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { unresolvable, type FilterPlugin, type Status } from '../framework/types.ts';

export const errReasonNodeName = "node(s) didn't match the requested node name";

export class NodeName implements FilterPlugin {
  static readonly pluginName = 'NodeName';
  readonly name = NodeName.pluginName;
  private readonly rejected = unresolvable(NodeName.pluginName, errReasonNodeName);

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const want = pod.pod.spec?.nodeName;
    return want && want !== node.name ? this.rejected : null;
  }
}
