/**
 * @module Cluster events and queueing hints (upstream framework.ClusterEvent, ActionType and
 * QueueingHintFn, simplified): what changed in the cluster, as the scheduler's informers saw
 * it, and per plugin which events might make a pod that plugin rejected schedulable.
 */
import type { NodeObject } from './node-info.ts';
import type { PodInfo, PodObject } from './pod-info.ts';

/** Bit flags, so one node update can carry several kinds of change (upstream ActionType). */
export const ActionType = {
  Add: 1 << 0,
  Delete: 1 << 1,
  UpdateNodeAllocatable: 1 << 2,
  UpdateNodeLabel: 1 << 3,
  /** Taints, and spec.unschedulable (upstream folds it into the taint change too). */
  UpdateNodeTaint: 1 << 4,
  UpdateNodeCondition: 1 << 5,
  UpdatePodLabel: 1 << 6,
  All: (1 << 7) - 1,
} as const;

/**
 * One cluster event. `Pod` means an assigned pod (unassigned pods' own updates go through
 * the queue's update). `*` is a wildcard (upstream WildCardEvent / ForceActivate): it moves
 * every pod it is offered, whatever rejected it.
 */
export type ClusterEvent =
  | { resource: 'Node'; action: number; old?: NodeObject; obj?: NodeObject; label: string }
  | { resource: 'Pod'; action: number; old?: PodObject; obj?: PodObject; label: string }
  | { resource: '*'; action: number; label: string };

export type EventResource = ClusterEvent['resource'];

/** true: the event may make `pod` schedulable (Queue); false: it cannot (QueueSkip). */
export type QueueingHintFn = (pod: PodInfo, event: ClusterEvent) => boolean;

export interface ClusterEventWithHint {
  resource: Exclude<EventResource, '*'>;
  /** The ActionType bits this registration listens to. */
  action: number;
  /** Without a hint every matching event queues the pod. */
  hint?: QueueingHintFn;
}

export const wildcardEvent = (label: string): ClusterEvent => ({ resource: '*', action: ActionType.All, label });

/** Upstream nodeSchedulingPropertiesHasChanged: the ActionType bits a node update carries. */
export function nodeUpdateActions(old: NodeObject, cur: NodeObject): number {
  let a = 0;
  const j = (v: unknown) => JSON.stringify(v ?? null);
  if (j(old.status?.allocatable) !== j(cur.status?.allocatable)) a |= ActionType.UpdateNodeAllocatable;
  if (j(old.metadata?.labels) !== j(cur.metadata?.labels)) a |= ActionType.UpdateNodeLabel;
  if (j(old.spec?.taints) !== j(cur.spec?.taints) || (old.spec?.unschedulable ?? false) !== (cur.spec?.unschedulable ?? false)) a |= ActionType.UpdateNodeTaint;
  const ready = (n: NodeObject) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  if (ready(old) !== ready(cur)) a |= ActionType.UpdateNodeCondition;
  return a;
}
