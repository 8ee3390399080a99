/**
 * @module One proposal per metric of an HPA and the largest of them (upstream horizontal.go
 * computeReplicasForMetrics): Resource and ContainerResource metrics through the replica
 * calculator, with their `status.currentMetrics` entries; Pods, Object and External metrics
 * fail as they do on a cluster without the custom/external metrics APIs. A failing metric
 * sets ScalingActive False with its own reason and emits that reason as a Warning event; the
 * HPA still scales on the other metrics unless that would scale down.
 */
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus, MetricTarget, MetricValueStatus } from 'kubernetes-types/autoscaling/v2.js';
import { formatMilli, parseMilli } from '../../api/quota/quantity.ts';
import type { Verdict } from './behavior.ts';
import { getResourceMetric, type MetricsSource } from './metrics.ts';
import { rawResourceReplicas, resourceReplicas, type CalculatorOptions, type PodObject } from './replica-calculator.ts';

export interface MetricsInput {
  hpa: HorizontalPodAutoscaler;
  specReplicas: number;
  selector: string;
  pods: readonly PodObject[];
  source: MetricsSource;
  opts: CalculatorOptions;
  nowMs: number;
  /** Records a Warning event on the HPA. */
  warn(reason: string, message: string): void;
}

export interface MetricsOutcome {
  /** -1 when no usable proposal exists (upstream's sentinel). */
  replicas: number;
  metricName: string;
  statuses: MetricStatus[];
  scalingActive: Verdict;
  error?: string;
}

class MetricError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const quantity = (milli: number): string => formatMilli(BigInt(milli));

interface Proposal {
  replicas: number;
  name: string;
  status: MetricStatus;
}

async function resourceProposal(inp: MetricsInput, resource: string, target: MetricTarget, container?: string): Promise<Proposal> {
  const ns = inp.hpa.metadata?.namespace ?? '';
  const kind = container === undefined ? 'resource' : 'container resource';
  const status = (current: MetricValueStatus): MetricStatus =>
    container === undefined
      ? { type: 'Resource', resource: { name: resource, current } }
      : { type: 'ContainerResource', containerResource: { name: resource, container, current } };
  if (target.averageValue !== undefined) {
    const targetMilli = Number(parseMilli(target.averageValue) ?? 0n);
    try {
      const { metrics } = await getResourceMetric(inp.source, resource, ns, inp.selector, container);
      const r = rawResourceReplicas(inp.specReplicas, targetMilli, resource, inp.pods, metrics, inp.opts, inp.nowMs);
      return { replicas: r.replicas, name: `${resource} ${kind}`, status: status({ averageValue: quantity(r.usage) }) };
    } catch (e) {
      throw new Error(`failed to get ${resource} usage: ${(e as Error).message}`);
    }
  }
  if (target.averageUtilization === undefined)
    throw new Error('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
  try {
    const { metrics } = await getResourceMetric(inp.source, resource, ns, inp.selector, container);
    const r = resourceReplicas(inp.specReplicas, target.averageUtilization, resource, inp.pods, metrics, inp.opts, inp.nowMs, container);
    return {
      replicas: r.replicas,
      name: `${resource} ${kind} utilization (percentage of request)`,
      status: status({ averageUtilization: r.utilization, averageValue: quantity(r.rawAverage) }),
    };
  } catch (e) {
    throw new Error(`failed to get ${resource} utilization: ${(e as Error).message}`);
  }
}

const noCustomMetrics = 'unable to fetch metrics from custom metrics API: the server could not find the requested resource';
const noExternalMetrics = 'unable to fetch metrics from external metrics API: the server could not find the requested resource';

async function proposalFor(inp: MetricsInput, m: MetricSpec): Promise<Proposal> {
  switch (m.type) {
    case 'Resource':
      if (!m.resource) throw new MetricError('FailedGetResourceMetric', 'missing resource metric source');
      try {
        return await resourceProposal(inp, m.resource.name, m.resource.target);
      } catch (e) {
        throw new MetricError('FailedGetResourceMetric', (e as Error).message);
      }
    case 'ContainerResource':
      if (!m.containerResource) throw new MetricError('FailedGetContainerResourceMetric', 'missing container resource metric source');
      try {
        return await resourceProposal(inp, m.containerResource.name, m.containerResource.target, m.containerResource.container);
      } catch (e) {
        throw new MetricError('FailedGetContainerResourceMetric', (e as Error).message);
      }
    case 'Pods':
      throw new MetricError('FailedGetPodsMetric', `unable to get metric ${m.pods?.metric.name ?? ''}: ${noCustomMetrics}`);
    case 'Object':
      throw new MetricError('FailedGetObjectMetric', `unable to get metric ${m.object?.metric.name ?? ''}: ${m.object?.describedObject.kind ?? ''} on ${inp.hpa.metadata?.namespace ?? ''} ${m.object?.describedObject.name ?? ''}/${noCustomMetrics}`);
    case 'External':
      throw new MetricError('FailedGetExternalMetric', `unable to get external metric ${inp.hpa.metadata?.namespace ?? ''}/${m.external?.metric.name ?? ''}/nil: ${noExternalMetrics}`);
    default:
      throw new MetricError('InvalidMetricSourceType', `unknown metric source type "${m.type}"`);
  }
}

/** Upstream computeReplicasForMetrics. */
export async function computeReplicasForMetrics(inp: MetricsInput): Promise<MetricsOutcome> {
  const specs = inp.hpa.spec?.metrics ?? [];
  // Upstream allocates one (zero) status per spec; a failed metric keeps an empty entry so
  // the printed TARGETS line up with the specs.
  const statuses: MetricStatus[] = specs.map(() => ({ type: '' }));
  let replicas = 0;
  let metricName = '';
  let invalid = 0;
  let first: { verdict: Verdict; error: string } | undefined;
  for (const [i, spec] of specs.entries()) {
    try {
      const p = await proposalFor(inp, spec);
      statuses[i] = p.status;
      if (replicas === 0 || p.replicas > replicas) {
        replicas = p.replicas;
        metricName = p.name;
      }
    } catch (e) {
      const err = e instanceof MetricError ? e : new MetricError('FailedGetResourceMetric', (e as Error).message);
      inp.warn(err.reason, err.message);
      invalid++;
      first ??= {
        verdict: { status: 'False', reason: err.reason, message: `the HPA was unable to compute the replica count: ${err.message}` },
        error: err.message,
      };
    }
  }
  const error = first ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.error}` : undefined;
  if (first && (invalid >= specs.length || replicas < inp.specReplicas)) {
    return { replicas: -1, metricName: '', statuses, scalingActive: first.verdict, error };
  }
  return {
    replicas,
    metricName,
    statuses,
    scalingActive: { status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${metricName}` },
    error,
  };
}
