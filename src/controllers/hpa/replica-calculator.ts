/**
 * @module The HPA replica calculator (upstream replica_calculator.go): from pod metrics and the
 * pods a scale target selects, how many replicas would bring the metric to its target. Pods
 * being deleted or Failed are ignored; Pending, unready and still-initialising pods (CPU only)
 * are left out of a scale-up; pods without metrics count as 0 on a scale-up and as fully used
 * on a scale-down; a change within the tolerance, or one that the conservative assumptions
 * would turn around, keeps the current count. Pure functions over a `now`, so tests need no clock.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { parseMilli } from '../../api/quota/quantity.ts';
import type { PodMetricsInfo } from './metrics.ts';

export type PodObject = Pod & KubeObject;

export interface CalculatorOptions {
  tolerance: number;
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
}

export const defaultCalculatorOptions: CalculatorOptions = {
  tolerance: 0.1,
  cpuInitializationPeriodMs: 5 * 60_000,
  initialReadinessDelayMs: 30_000,
};

export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** Upstream groupPods. */
export function groupPods(pods: readonly PodObject[], metrics: PodMetricsInfo, resource: string, opts: CalculatorOptions, nowMs: number): PodGroups {
  const g: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
      let unready: boolean;
      if (!ready || start === undefined) unready = true;
      else {
        const transition = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0;
        if (start + opts.cpuInitializationPeriodMs > nowMs) {
          // Still initialising: a sample counts only once a whole window was taken after it became ready.
          unready = ready.status === 'False' || metric.timestampMs < transition + metric.windowMs;
        } else {
          // Past initialisation: ignore only pods that never became ready since they started.
          unready = ready.status === 'False' && start + opts.initialReadinessDelayMs > transition;
        }
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

function removeMetrics(metrics: PodMetricsInfo, names: Set<string>): void {
  for (const n of names) metrics.delete(n);
}

/** Upstream calculatePodRequests: the resource's requests summed per pod; a container without one is an error. */
export function podRequests(pods: readonly PodObject[], resource: string, container?: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of pod.spec?.containers ?? []) {
      if (container !== undefined && c.name !== container) continue;
      const req = parseMilli(c.resources?.requests?.[resource] as string | undefined);
      if (req === undefined) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata?.name ?? ''}`);
      sum += Number(req);
    }
    out.set(pod.metadata?.name ?? '', sum);
  }
  return out;
}

/** Upstream GetResourceUtilizationRatio. */
export function utilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, target: number): { ratio: number; utilization: number; rawAverage: number } {
  let total = 0;
  let reqTotal = 0;
  let n = 0;
  for (const [name, m] of metrics) {
    const r = requests.get(name);
    if (r === undefined) continue; // metrics of pods we do not know are extraneous
    total += m.value;
    reqTotal += r;
    n++;
  }
  if (reqTotal === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((total * 100) / reqTotal);
  return { ratio: utilization / target, utilization, rawAverage: Math.trunc(total / n) };
}

/** Upstream GetMetricUsageRatio. */
function usageRatio(metrics: PodMetricsInfo, target: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / target, usage };
}

function selectedPods(pods: readonly PodObject[]): void {
  if (!pods.length) throw new Error('no pods returned by selector while calculating replica count');
}

/**
 * The common tail of both calculations: fill in missing and unready pods conservatively, then
 * recompute and refuse a change in direction.
 */
function finish(
  current: number,
  ratio: number,
  g: PodGroups,
  metrics: PodMetricsInfo,
  missingValue: (pod: string) => number,
  recompute: () => number,
  opts: CalculatorOptions,
): number {
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= opts.tolerance) return current;
    return Math.ceil(ratio * g.readyPodCount);
  }
  if (g.missing.size > 0) {
    for (const p of g.missing) metrics.set(p, { value: ratio < 1 ? missingValue(p) : 0, timestampMs: 0, windowMs: 0 });
  }
  if (scaleUpWithUnready) for (const p of g.unready) metrics.set(p, { value: 0, timestampMs: 0, windowMs: 0 });
  const newRatio = recompute();
  if (Math.abs(1 - newRatio) <= opts.tolerance || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return current;
  const proposal = Math.ceil(newRatio * metrics.size);
  if ((newRatio < 1 && proposal > current) || (newRatio > 1 && proposal < current)) return current;
  return proposal;
}

export interface UtilizationResult {
  replicas: number;
  utilization: number;
  rawAverage: number;
}

/** Upstream GetResourceReplicas: a target utilization (percent of requests). */
export function resourceReplicas(
  current: number,
  targetUtilization: number,
  resource: string,
  pods: readonly PodObject[],
  input: PodMetricsInfo,
  opts: CalculatorOptions,
  nowMs: number,
  container?: string,
): UtilizationResult {
  selectedPods(pods);
  const metrics: PodMetricsInfo = new Map(input);
  const g = groupPods(pods, metrics, resource, opts, nowMs);
  removeMetrics(metrics, g.ignored);
  removeMetrics(metrics, g.unready);
  if (!metrics.size) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const requests = podRequests(pods, resource, container);
  const first = utilizationRatio(metrics, requests, targetUtilization);
  const fallback = Math.max(100, targetUtilization);
  const replicas = finish(
    current,
    first.ratio,
    g,
    metrics,
    (p) => Math.trunc(((requests.get(p) ?? 0) * fallback) / 100),
    () => utilizationRatio(metrics, requests, targetUtilization).ratio,
    opts,
  );
  return { replicas, utilization: first.utilization, rawAverage: first.rawAverage };
}

/** Upstream GetRawResourceReplicas / calcPlainMetricReplicas: a target average value (milli-units). */
export function rawResourceReplicas(
  current: number,
  targetAverage: number,
  resource: string,
  pods: readonly PodObject[],
  input: PodMetricsInfo,
  opts: CalculatorOptions,
  nowMs: number,
): { replicas: number; usage: number } {
  selectedPods(pods);
  const metrics: PodMetricsInfo = new Map(input);
  const g = groupPods(pods, metrics, resource, opts, nowMs);
  removeMetrics(metrics, g.ignored);
  removeMetrics(metrics, g.unready);
  if (!metrics.size) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const first = usageRatio(metrics, targetAverage);
  const replicas = finish(current, first.ratio, g, metrics, () => targetAverage, () => usageRatio(metrics, targetAverage).ratio, opts);
  return { replicas, usage: first.usage };
}
