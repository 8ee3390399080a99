/**
 * @module PrioritySort (QueueSort): higher priority first, then the pod that entered the
 * queue earlier.
 */
import type { QueuedPodInfoView, QueueSortPlugin } from '../framework/types.ts';

export class PrioritySort implements QueueSortPlugin {
  static readonly pluginName = 'PrioritySort';
  readonly name = PrioritySort.pluginName;

  less(a: QueuedPodInfoView, b: QueuedPodInfoView): boolean {
    const pa = a.podInfo.priority;
    const pb = b.podInfo.priority;
    return pa > pb || (pa === pb && a.timestamp < b.timestamp);
  }
}
