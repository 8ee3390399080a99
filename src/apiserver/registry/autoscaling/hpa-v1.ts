/**
 * @module autoscaling/v1 HorizontalPodAutoscalers, stored as autoscaling/v2 (upstream's
 * conversion: targetCPUUtilizationPercentage ↔ a Resource cpu Utilization metric; other v2
 * metrics, current metrics, behavior and conditions ride in `autoscaling.alpha.kubernetes.io/*`
 * annotations).
 */
import type { HorizontalPodAutoscaler as HPA1Type } from 'kubernetes-types/autoscaling/v1.js';
import type { MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import { invalid, required, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject, Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import type { Strategy } from '../strategy.ts';
import { hpaTable, validateHPA2, type HPA2 } from './hpa-v2.ts';

export type HPA1 = Mutable<HPA1Type>;

export const metricsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics';
export const currentMetricsAnnotation = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const behaviorAnnotation = 'autoscaling.alpha.kubernetes.io/behavior';
export const conditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';

const isCPUUtil = (m: MetricSpec): boolean =>
  m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target.type === 'Utilization' && m.resource.target.averageUtilization !== undefined;
const isCPUStatus = (m: MetricStatus): boolean => m.type === 'Resource' && m.resource?.name === 'cpu';

function parseAnn<T>(anns: Record<string, string>, key: string): T | undefined {
  const v = anns[key];
  delete anns[key];
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v) as T;
  } catch {
    return undefined;
  }
}

export function hpaV1ToV2(v1: HPA1): HPA2 {
  const clone = structuredClone(v1) as HPA1;
  const anns: Record<string, string> = { ...(clone.metadata?.annotations ?? {}) };
  const otherMetrics = parseAnn<MetricSpec[]>(anns, metricsAnnotation) ?? [];
  const otherCurrent = parseAnn<MetricStatus[]>(anns, currentMetricsAnnotation) ?? [];
  const behavior = parseAnn<NonNullable<HPA2['spec']>['behavior']>(anns, behaviorAnnotation);
  const conditions = parseAnn<NonNullable<HPA2['status']>['conditions']>(anns, conditionsAnnotation);
  const metadata = { ...(clone.metadata ?? {}) };
  if (Object.keys(anns).length) metadata.annotations = anns;
  else delete metadata.annotations;
  const spec = clone.spec;
  const metrics: MetricSpec[] = [];
  if (spec?.targetCPUUtilizationPercentage !== undefined)
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  metrics.push(...otherMetrics.filter((m) => !isCPUUtil(m) || spec?.targetCPUUtilizationPercentage === undefined));
  const out: HPA2 = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef: spec?.scaleTargetRef ?? { kind: '', name: '' },
      maxReplicas: spec?.maxReplicas ?? 0,
      ...(spec?.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      ...(metrics.length ? { metrics } : {}),
      ...(behavior ? { behavior } : {}),
    },
  };
  const s = clone.status;
  const zero = !s || (!s.desiredReplicas && !s.currentReplicas && Object.keys(s).every((k) => k === 'desiredReplicas' || k === 'currentReplicas'));
  if (s && !zero) {
    const current: MetricStatus[] = [];
    if (s.currentCPUUtilizationPercentage !== undefined)
      current.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: s.currentCPUUtilizationPercentage } } });
    current.push(...otherCurrent.filter((m) => !isCPUStatus(m) || s.currentCPUUtilizationPercentage === undefined));
    out.status = {
      desiredReplicas: s.desiredReplicas,
      ...(s.currentReplicas !== undefined ? { currentReplicas: s.currentReplicas } : {}),
      ...(s.lastScaleTime !== undefined ? { lastScaleTime: s.lastScaleTime } : {}),
      ...(s.observedGeneration !== undefined ? { observedGeneration: s.observedGeneration } : {}),
      ...(current.length ? { currentMetrics: current } : {}),
      ...(conditions ? { conditions } : {}),
    };
  }
  return out;
}

export function hpaV2ToV1(v2: HPA2): HPA1 {
  const clone = structuredClone(v2) as HPA2;
  const anns: Record<string, string> = { ...(clone.metadata?.annotations ?? {}) };
  const metrics = clone.spec?.metrics ?? [];
  const cpu = metrics.find(isCPUUtil);
  const others = metrics.filter((m) => m !== cpu);
  if (others.length) anns[metricsAnnotation] = JSON.stringify(others);
  if (clone.spec?.behavior) anns[behaviorAnnotation] = JSON.stringify(clone.spec.behavior);
  const s = clone.status;
  const cur = s?.currentMetrics ?? [];
  const cpuCur = cur.find(isCPUStatus);
  const otherCur = cur.filter((m) => m !== cpuCur);
  if (otherCur.length) anns[currentMetricsAnnotation] = JSON.stringify(otherCur);
  if (s?.conditions?.length) anns[conditionsAnnotation] = JSON.stringify(s.conditions);
  const metadata = { ...(clone.metadata ?? {}) };
  if (Object.keys(anns).length) metadata.annotations = anns;
  else delete metadata.annotations;
  const out: HPA1 = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef: clone.spec?.scaleTargetRef ?? { kind: '', name: '' },
      maxReplicas: clone.spec?.maxReplicas ?? 0,
      ...(clone.spec?.minReplicas !== undefined ? { minReplicas: clone.spec.minReplicas } : {}),
      ...(cpu?.resource?.target.averageUtilization !== undefined
        ? { targetCPUUtilizationPercentage: cpu.resource.target.averageUtilization }
        : {}),
    },
  };
  // v1's status is a struct, never omitted: a new HPA reads back with zero counters.
  {
    out.status = {
      desiredReplicas: s?.desiredReplicas ?? 0,
      currentReplicas: s?.currentReplicas ?? 0,
      ...(s?.lastScaleTime !== undefined ? { lastScaleTime: s.lastScaleTime } : {}),
      ...(s?.observedGeneration !== undefined ? { observedGeneration: s.observedGeneration } : {}),
      ...(cpuCur?.resource?.current.averageUtilization !== undefined
        ? { currentCPUUtilizationPercentage: cpuCur.resource.current.averageUtilization }
        : {}),
    };
  }
  return out;
}

export const hpaV1Strategy: Strategy<HPA1> = {
  info: findResource(builtinResources, 'autoscaling', 'v1', 'horizontalpodautoscalers')!,
  defaults(hpa) {
    const spec = hpa.spec as Mutable<NonNullable<HPA1['spec']>> | undefined;
    if (spec && spec.minReplicas === undefined) spec.minReplicas = 1;
  },
  validate(hpa) {
    const out: FieldError[] = [];
    if (!hpa.spec) return [required('spec')];
    const t = hpa.spec.targetCPUUtilizationPercentage;
    if (t !== undefined && t < 1) out.push(invalid('spec.targetCPUUtilizationPercentage', t, 'must be greater than 0'));
    out.push(...validateHPA2(hpaV1ToV2(hpa)).filter((e) => !e.field.startsWith('spec.metrics')));
    return out;
  },
  table: {
    columns: hpaTable.columns,
    cells: (hpa, now) => hpaTable.cells(hpaV1ToV2(hpa), now),
  },
  storage: {
    group: 'autoscaling',
    version: 'v2',
    resource: 'horizontalpodautoscalers',
    toStorage: (obj) => hpaV1ToV2(obj) as KubeObject,
    fromStorage: (obj) => hpaV2ToV1(obj as HPA2),
  },
};
