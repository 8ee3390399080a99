/**
 * @module Pure parts of the node lifecycle controller (pkg/controller/nodelifecycle): what a
 * node's conditions become when its kubelet has gone quiet past the grace period, and which
 * taints its conditions call for (TaintNodesByCondition's NoSchedule taints plus the
 * NoExecute not-ready/unreachable taints). Taints the controller does not manage are kept.
 */
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.js';

export const taintNotReady = 'node.kubernetes.io/not-ready';
export const taintUnreachable = 'node.kubernetes.io/unreachable';
export const taintUnschedulable = 'node.kubernetes.io/unschedulable';

/** Node conditions that map to NoSchedule taints when True (upstream nodeConditionToTaintKeyStatusMap). */
const pressureTaints: Record<string, string> = {
  MemoryPressure: 'node.kubernetes.io/memory-pressure',
  DiskPressure: 'node.kubernetes.io/disk-pressure',
  PIDPressure: 'node.kubernetes.io/pid-pressure',
  NetworkUnavailable: 'node.kubernetes.io/network-unavailable',
};

const managedKeys = new Set([taintNotReady, taintUnreachable, taintUnschedulable, ...Object.values(pressureTaints)]);

/** Conditions the controller sets to Unknown when the kubelet stops reporting. */
export const monitoredConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export const readyCondition = (node: Node): NodeCondition | undefined => node.status?.conditions?.find((c) => c.type === 'Ready');

/** The conditions of a node whose kubelet stopped posting status; undefined when none change. */
export function unknownConditions(node: Node, now: string): NodeCondition[] | undefined {
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const type of monitoredConditions) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp ?? now,
        lastTransitionTime: now,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = now;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}

/** The node's taints as its conditions say they should be; NoExecute taints carry timeAdded. */
export function desiredTaints(node: Node, now: string): Taint[] {
  const current = node.spec?.taints ?? [];
  const kept = current.filter((t) => !managedKeys.has(t.key));
  const want: Taint[] = [];
  const ready = readyCondition(node)?.status;
  const add = (key: string, effect: 'NoSchedule' | 'NoExecute') => {
    const existing = current.find((t) => t.key === key && t.effect === effect);
    if (existing) want.push(existing);
    else want.push(effect === 'NoExecute' ? { key, effect, timeAdded: now } : { key, effect });
  };
  if (ready === 'False') {
    add(taintNotReady, 'NoSchedule');
    add(taintNotReady, 'NoExecute');
  } else if (ready === 'Unknown') {
    add(taintUnreachable, 'NoSchedule');
    add(taintUnreachable, 'NoExecute');
  } else if (ready === undefined) {
    // No Ready condition yet: upstream's NoExecute pass leaves such a node's taints alone.
    for (const t of current) if (t.effect === 'NoExecute' && (t.key === taintNotReady || t.key === taintUnreachable)) want.push(t);
  }
  for (const [type, key] of Object.entries(pressureTaints))
    if (node.status?.conditions?.some((c) => c.type === type && c.status === 'True')) add(key, 'NoSchedule');
  if (node.spec?.unschedulable) add(taintUnschedulable, 'NoSchedule');
  return [...kept, ...want];
}

const taintId = (t: Taint) => `${t.key}=${t.value ?? ''}:${t.effect}`;

export function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  if (a.length !== b.length) return false;
  const ids = new Set(a.map(taintId));
  return b.every((t) => ids.has(taintId(t)));
}
