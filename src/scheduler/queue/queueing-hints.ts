/**
 * @module The in-tree plugins' queueing hints (upstream EventsToRegister + QueueingHintFn,
 * simplified): for each filter plugin, the cluster events that could make a pod it rejected
 * schedulable, and a cheap check of the event against that pod. The queue moves an
 * unschedulable pod back only when one of the plugins that rejected it says Queue. A plugin
 * missing from this table gets every event (as upstream treats plugins without hints).
 * Hints may say Queue when unsure; they must never say Skip for an event that could help.
 */
import { requiredNodeMatchers } from '../plugins/node-affinity.ts';
import { ActionType, type ClusterEvent, type ClusterEventWithHint } from '../framework/cluster-event.ts';
import { PodInfo, type AffinityTerm, type PodObject } from '../framework/pod-info.ts';
import { Resource } from '../framework/resource.ts';
import { findUntolerated, toleratedBy } from '../framework/taints.ts';
import type { NodeObject } from '../framework/node-info.ts';

const { Add, Delete, UpdateNodeAllocatable, UpdateNodeLabel, UpdateNodeTaint, UpdatePodLabel } = ActionType;
const filterEffects = ['NoSchedule', 'NoExecute'];
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

const nodeOf = (ev: ClusterEvent): { old?: NodeObject; obj?: NodeObject } => (ev.resource === 'Node' ? ev : {});
// One event is checked against every parked pod: parse the changed pod once.
const parsed = new WeakMap<PodObject, PodInfo>();
const podOf = (ev: ClusterEvent): PodInfo | undefined => {
  if (ev.resource !== 'Pod') return undefined;
  const p = ev.obj ?? ev.old;
  if (!p) return undefined;
  let info = parsed.get(p);
  if (!info) parsed.set(p, (info = new PodInfo(p, 0)));
  return info;
};

/** Whether `alloc` could hold the pod's requests at all (no other pods counted). */
function couldFit(pod: PodInfo, alloc: Resource): boolean {
  const r = pod.requests;
  if (alloc.allowedPodNumber < 1) return false;
  if (r.milliCPU > alloc.milliCPU || r.memory > alloc.memory || r.ephemeralStorage > alloc.ephemeralStorage) return false;
  if (r.scalar) for (const [name, q] of r.scalar) if (q > (alloc.scalar?.get(name) ?? 0)) return false;
  return true;
}

const allocatable = (n: NodeObject) => Resource.fromList(n.status?.allocatable ?? n.status?.capacity);

/** Upstream isSchedulableAfterNodeChange: a new node the pod could fit, or a node that grew. */
function fitAfterNodeChange(pod: PodInfo, ev: ClusterEvent): boolean {
  const { old, obj } = nodeOf(ev);
  if (!obj) return false;
  const now = allocatable(obj);
  if (!couldFit(pod, now)) return false;
  if (!old) return true;
  const was = allocatable(old);
  const grew = (a: number, b: number) => b > a;
  if (grew(was.milliCPU, now.milliCPU) || grew(was.memory, now.memory) || grew(was.ephemeralStorage, now.ephemeralStorage) || grew(was.allowedPodNumber, now.allowedPodNumber)) return true;
  for (const [name, q] of now.scalar ?? []) if (grew(was.scalar?.get(name) ?? 0, q)) return true;
  return false;
}

/** An assigned pod went away (or the scheduler forgot one it assumed): its space is free. */
const anyPodDeleted = (_pod: PodInfo, ev: ClusterEvent) => ev.resource === 'Pod';

function tolerates(pod: PodInfo, n: NodeObject | undefined): boolean {
  return !!n && !findUntolerated(n.spec?.taints ?? [], pod.pod.spec?.tolerations ?? [], filterEffects);
}

/** Upstream TaintToleration hint: the node's taints are tolerated now and were not before. */
function taintsNowTolerated(pod: PodInfo, ev: ClusterEvent): boolean {
  const { old, obj } = nodeOf(ev);
  return tolerates(pod, obj) && (!old || !tolerates(pod, old));
}

function cordonAllows(pod: PodInfo, n: NodeObject | undefined): boolean {
  return !!n && (!n.spec?.unschedulable || toleratedBy(unschedulableTaint, pod.pod.spec?.tolerations ?? []));
}

function uncordoned(pod: PodInfo, ev: ClusterEvent): boolean {
  const { old, obj } = nodeOf(ev);
  return cordonAllows(pod, obj) && (!old || !cordonAllows(pod, old));
}

function affinityMatches(pod: PodInfo, n: NodeObject | undefined): boolean {
  if (!n) return false;
  const labels = n.metadata?.labels ?? {};
  const name = n.metadata?.name ?? '';
  return requiredNodeMatchers(pod).every((m) => m(labels, name));
}

/** Upstream NodeAffinity hint: the node matches the pod's required affinity/selector now and did not before. */
function nodeNowMatches(pod: PodInfo, ev: ClusterEvent): boolean {
  const { old, obj } = nodeOf(ev);
  return affinityMatches(pod, obj) && (!old || !affinityMatches(pod, old));
}

function namedNodeAdded(pod: PodInfo, ev: ClusterEvent): boolean {
  const want = pod.pod.spec?.nodeName;
  return !want || nodeOf(ev).obj?.metadata?.name === want;
}

/** Upstream NodePorts hint: the deleted pod used one of the ports this pod wants. */
function freedPorts(pod: PodInfo, ev: ClusterEvent): boolean {
  const gone = podOf(ev);
  if (!gone) return false;
  return pod.hostPorts.some((w) => gone.hostPorts.some((h) => h.protocol === w.protocol && h.port === w.port && (h.ip === w.ip || h.ip === '0.0.0.0' || w.ip === '0.0.0.0')));
}

// Namespace selectors need the namespace's labels, which a hint does not have: a term with
// one matches any namespace here (Queue when unsure).
const selects = (t: AffinityTerm, other: PodInfo, labels: Readonly<Record<string, string>>) => (t.namespaces.has(other.namespace) || t.namespaceSelector !== null) && t.selector.matches(labels);

/**
 * Upstream InterPodAffinity hint: a pod whose labels (now, or before a label change) match
 * one of this pod's terms, or — on delete — an existing pod with anti-affinity terms that
 * may have been what kept this pod out.
 */
function affinityPodChanged(pod: PodInfo, ev: ClusterEvent): boolean {
  if (ev.resource !== 'Pod') return false;
  const other = podOf(ev);
  if (!other) return false;
  const terms = [...pod.requiredAffinity, ...pod.requiredAntiAffinity];
  const oldLabels = ev.old?.metadata?.labels ?? {};
  if (terms.some((t) => selects(t, other, other.labels) || (ev.old && selects(t, other, oldLabels)))) return true;
  return (ev.action & Delete) !== 0 && other.requiredAntiAffinity.length > 0;
}

/** PodTopologySpread: a pod in this pod's namespace came, went or relabelled (skew changed). */
function spreadPodChanged(pod: PodInfo, ev: ClusterEvent): boolean {
  const other = podOf(ev);
  return !!other && other.namespace === pod.namespace;
}

export const inTreeQueueingHints: Readonly<Record<string, readonly ClusterEventWithHint[]>> = {
  NodeUnschedulable: [{ resource: 'Node', action: Add | UpdateNodeTaint, hint: uncordoned }],
  NodeName: [{ resource: 'Node', action: Add, hint: namedNodeAdded }],
  TaintToleration: [{ resource: 'Node', action: Add | UpdateNodeTaint, hint: taintsNowTolerated }],
  NodeAffinity: [{ resource: 'Node', action: Add | UpdateNodeLabel, hint: nodeNowMatches }],
  NodePorts: [
    { resource: 'Pod', action: Delete, hint: freedPorts },
    { resource: 'Node', action: Add },
  ],
  NodeResourcesFit: [
    { resource: 'Pod', action: Delete, hint: anyPodDeleted },
    { resource: 'Node', action: Add | UpdateNodeAllocatable, hint: fitAfterNodeChange },
  ],
  InterPodAffinity: [
    { resource: 'Pod', action: Add | UpdatePodLabel | Delete, hint: affinityPodChanged },
    { resource: 'Node', action: Add | UpdateNodeLabel },
  ],
  PodTopologySpread: [
    { resource: 'Pod', action: Add | UpdatePodLabel | Delete, hint: spreadPodChanged },
    { resource: 'Node', action: Add | Delete | UpdateNodeLabel | UpdateNodeTaint },
  ],
};

/**
 * Whether `event` may make `pod` schedulable, given the plugins that rejected it. No
 * rejecting plugin recorded (an error, or a pod never tried) and wildcard events always move.
 */
export function isSchedulableAfter(
  pod: PodInfo,
  rejectors: ReadonlySet<string>,
  event: ClusterEvent,
  hints: Readonly<Record<string, readonly ClusterEventWithHint[]>> = inTreeQueueingHints,
): boolean {
  if (event.resource === '*' || rejectors.size === 0) return true;
  for (const plugin of rejectors) {
    const regs = hints[plugin];
    if (!regs) return true;
    for (const r of regs) {
      if (r.resource !== event.resource || (r.action & event.action) === 0) continue;
      if (!r.hint || r.hint(pod, event)) return true;
    }
  }
  return false;
}
