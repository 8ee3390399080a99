/**
 * @module PodInfo: a pod with everything the plugins read computed once — resource requests
 * (init containers as max-of-init-vs-sum, sidecars, overhead), the non-zero requests scoring
 * uses, parsed affinity terms, host ports and the resolved priority — so no plugin re-parses
 * the spec per node.
 */
import type { Container, Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { selectorFromLabelSelector, type LabelRequirements } from '../../machinery/labels.ts';
import { Resource } from './resource.ts';

export type PodObject = Pod & KubeObject;

/** Defaults scoring assumes for containers without requests (upstream DefaultMilliCPURequest etc.). */
export const defaultMilliCPURequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;

export interface AffinityTerm {
  /** Namespaces the term selects by name (the pod's own when neither list nor selector is set). */
  namespaces: ReadonlySet<string>;
  /** Selects namespaces by label; null when the term has none. */
  namespaceSelector: LabelRequirements | null;
  selector: LabelRequirements;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface HostPort {
  protocol: string;
  ip: string;
  port: number;
}

export type NamespaceLabels = (namespace: string) => Readonly<Record<string, string>> | undefined;

export class PodInfo {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly requests: Resource;
  readonly nonZeroCPU: number;
  readonly nonZeroMemory: number;
  readonly requiredAffinity: AffinityTerm[];
  readonly requiredAntiAffinity: AffinityTerm[];
  readonly preferredAffinity: WeightedAffinityTerm[];
  readonly preferredAntiAffinity: WeightedAffinityTerm[];
  readonly hostPorts: HostPort[];

  constructor(
    readonly pod: PodObject,
    /** Resolved from spec.priority, else the pod's PriorityClass, else 0. */
    readonly priority: number,
    /** An earlier version of the same pod whose derived data still holds (see `withPod`). */
    from?: PodInfo,
  ) {
    if (from) {
      this.namespace = from.namespace;
      this.name = from.name;
      this.key = from.key;
      this.uid = from.uid;
      this.labels = from.labels;
      this.requests = from.requests;
      this.nonZeroCPU = from.nonZeroCPU;
      this.nonZeroMemory = from.nonZeroMemory;
      this.requiredAffinity = from.requiredAffinity;
      this.requiredAntiAffinity = from.requiredAntiAffinity;
      this.preferredAffinity = from.preferredAffinity;
      this.preferredAntiAffinity = from.preferredAntiAffinity;
      this.hostPorts = from.hostPorts;
      return;
    }
    const m = pod.metadata ?? {};
    this.namespace = m.namespace ?? '';
    this.name = m.name ?? '';
    this.key = `${this.namespace}/${this.name}`;
    this.uid = m.uid ?? '';
    this.labels = m.labels ?? {};
    const spec = pod.spec;
    const { reqs, nonZero } = podRequests(pod);
    this.requests = reqs;
    this.nonZeroCPU = nonZero.milliCPU;
    this.nonZeroMemory = nonZero.memory;
    const aff = spec?.affinity;
    this.requiredAffinity = (aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => toTerm(t, this.namespace));
    this.requiredAntiAffinity = (aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => toTerm(t, this.namespace));
    this.preferredAffinity = (aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...toTerm(w.podAffinityTerm, this.namespace), weight: w.weight }));
    this.preferredAntiAffinity = (aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...toTerm(w.podAffinityTerm, this.namespace), weight: w.weight }));
    this.hostPorts = [];
    const withPorts = [...(spec?.containers ?? []), ...(spec?.initContainers ?? []).filter(isRestartable)];
    for (const c of withPorts)
      for (const p of c.ports ?? []) if (p.hostPort && p.hostPort > 0) this.hostPorts.push({ protocol: p.protocol ?? 'TCP', ip: p.hostIP || '0.0.0.0', port: p.hostPort });
  }

  /**
   * This pod at a later version. Each bound pod's confirmation would otherwise re-parse its
   * requests and terms; when nothing they derive from changed (usually only nodeName and the
   * status did), the result shares them — same `requests` object, which the snapshot takes
   * as "the accounting is unchanged".
   */
  withPod(pod: PodObject, priority: number): PodInfo {
    return priority === this.priority && sameSchedulingInputs(this.pod, pod) ? new PodInfo(pod, priority, this) : new PodInfo(pod, priority);
  }

  get hasAffinity(): boolean {
    return this.requiredAffinity.length + this.requiredAntiAffinity.length + this.preferredAffinity.length + this.preferredAntiAffinity.length > 0;
  }

  get hasRequiredAntiAffinity(): boolean {
    return this.requiredAntiAffinity.length > 0;
  }
}

type Rec = Readonly<Record<string, unknown>> | undefined;
const size = (r: Rec) => (r ? Object.keys(r).length : 0);
function sameRecord(a: Rec, b: Rec): boolean {
  if (a === b) return true;
  if (size(a) !== size(b)) return false;
  for (const k in a) if (a[k] !== b?.[k]) return false;
  return true;
}

function sameContainers(a: readonly Container[] | undefined, b: readonly Container[] | undefined): boolean {
  if ((a?.length ?? 0) !== (b?.length ?? 0)) return false;
  for (let i = 0; i < (a?.length ?? 0); i++) {
    const x = a![i]!;
    const y = b![i]!;
    if (x.restartPolicy !== y.restartPolicy || !sameRecord(x.resources?.requests, y.resources?.requests) || !sameRecord(x.resources?.limits, y.resources?.limits)) return false;
    if ((x.ports?.length || y.ports?.length) && JSON.stringify(x.ports ?? []) !== JSON.stringify(y.ports ?? [])) return false;
  }
  return true;
}

/** Whether everything PodInfo derives from (identity, labels, requests, ports, pod affinity) is equal. */
function sameSchedulingInputs(a: PodObject, b: PodObject): boolean {
  const ma = a.metadata ?? {};
  const mb = b.metadata ?? {};
  if (ma.namespace !== mb.namespace || ma.name !== mb.name || ma.uid !== mb.uid || !sameRecord(ma.labels, mb.labels)) return false;
  const sa = a.spec;
  const sb = b.spec;
  if (!sameContainers(sa?.containers, sb?.containers) || !sameContainers(sa?.initContainers, sb?.initContainers) || !sameRecord(sa?.overhead, sb?.overhead)) return false;
  const fa = sa?.affinity;
  const fb = sb?.affinity;
  return fa === fb || JSON.stringify([fa?.podAffinity, fa?.podAntiAffinity]) === JSON.stringify([fb?.podAffinity, fb?.podAntiAffinity]);
}

function toTerm(t: PodAffinityTerm, ownNamespace: string): AffinityTerm {
  const nsSel = t.namespaceSelector ? selectorFromLabelSelector(t.namespaceSelector) : null;
  const names = new Set(t.namespaces ?? []);
  if (names.size === 0 && !nsSel) names.add(ownNamespace);
  // matchLabelKeys / mismatchLabelKeys fold the incoming pod's own label values into the selector.
  return { namespaces: names, namespaceSelector: nsSel, selector: selectorFromLabelSelector(t.labelSelector), topologyKey: t.topologyKey };
}

/** Whether the term selects `pod` (namespace by name or label, then its label selector). */
export function termMatches(term: AffinityTerm, pod: PodInfo, nsLabels: NamespaceLabels): boolean {
  if (!term.namespaces.has(pod.namespace)) {
    if (!term.namespaceSelector) return false;
    if (!term.namespaceSelector.everything && !term.namespaceSelector.matches(nsLabels(pod.namespace))) return false;
  }
  return term.selector.matches(pod.labels);
}

const isRestartable = (c: Container) => c.restartPolicy === 'Always';

function containerRequests(c: Container, nonZero: boolean): Resource {
  const r = Resource.fromList(c.resources?.requests ?? c.resources?.limits);
  if (nonZero) {
    const req = c.resources?.requests ?? c.resources?.limits ?? {};
    if (req.cpu === undefined) r.milliCPU = defaultMilliCPURequest;
    if (req.memory === undefined) r.memory = defaultMemoryRequest;
  }
  return r;
}

function computeRequests(pod: PodObject, nonZero: boolean): Resource {
  const spec = pod.spec;
  const reqs = new Resource();
  for (const c of spec?.containers ?? []) reqs.add(containerRequests(c, nonZero));
  // Sidecars (restartable init containers) keep running, so they add to the sum; a regular
  // init container runs alone next to the sidecars started before it.
  const sidecars = new Resource();
  const initMax = new Resource();
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (isRestartable(c)) {
      reqs.add(r);
      sidecars.add(r);
      initMax.setMax(sidecars);
    } else {
      const running = r.clone();
      running.add(sidecars);
      initMax.setMax(running);
    }
  }
  reqs.setMax(initMax);
  if (spec?.overhead) reqs.addList(spec.overhead);
  return reqs;
}

export function podRequests(pod: PodObject): { reqs: Resource; nonZero: Resource } {
  return { reqs: computeRequests(pod, false), nonZero: computeRequests(pod, true) };
}
