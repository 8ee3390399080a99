/**
 * @module NodeUnschedulable (Filter): a cordoned node (spec.unschedulable) takes only pods
 * that tolerate the `node.kubernetes.io/unschedulable:NoSchedule` taint.
 */
import type { CycleState } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { toleratedBy } from '../framework/taints.ts';
import { unresolvable, type FilterPlugin, type Status } from '../framework/types.ts';

export const errReasonUnschedulable = 'node(s) were unschedulable';
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export class NodeUnschedulable implements FilterPlugin {
  static readonly pluginName = 'NodeUnschedulable';
  readonly name = NodeUnschedulable.pluginName;
  private readonly rejected = unresolvable(NodeUnschedulable.pluginName, errReasonUnschedulable);

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    if (!node.unschedulable) return null;
    return toleratedBy(unschedulableTaint, pod.pod.spec?.tolerations ?? []) ? null : this.rejected;
  }
}
