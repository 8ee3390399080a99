/**
 * @module HPA status conditions (upstream horizontal.go setCondition): AbleToScale,
 * ScalingActive and ScalingLimited. Setting a condition keeps its place and its
 * lastTransitionTime unless the status flips.
 */
import type { HorizontalPodAutoscalerCondition } from 'kubernetes-types/autoscaling/v2.js';

export type ConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

export function setCondition(
  list: HorizontalPodAutoscalerCondition[],
  type: ConditionType,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: Date,
): HorizontalPodAutoscalerCondition[] {
  const i = list.findIndex((c) => c.type === type);
  const prev = i >= 0 ? list[i] : undefined;
  const lastTransitionTime = prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const next: HorizontalPodAutoscalerCondition = { type, status, lastTransitionTime, reason, message };
  if (i < 0) return [...list, next];
  return list.map((c, j) => (j === i ? next : c));
}

export const getCondition = (list: readonly HorizontalPodAutoscalerCondition[] | undefined, type: ConditionType): HorizontalPodAutoscalerCondition | undefined =>
  list?.find((c) => c.type === type);
