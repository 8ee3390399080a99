/**
 * @module Field tables for autoscaling/v1, written by tools/gen-tables.ts (v0.32.4); see ../table.ts.
 */
import type { MessageTable } from '../table.ts';

export const autoscalingMessages: MessageTable = {
  'autoscaling.v1.CrossVersionObjectReference': {
    1: ['kind', 'string'], 2: ['name', 'string'], 3: ['apiVersion', 'string', 'o'],
  },
  'autoscaling.v1.HorizontalPodAutoscaler': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'],
    2: ['spec', 'autoscaling.v1.HorizontalPodAutoscalerSpec', 'o'],
    3: ['status', 'autoscaling.v1.HorizontalPodAutoscalerStatus', 'o'],
  },
  'autoscaling.v1.HorizontalPodAutoscalerSpec': {
    1: ['scaleTargetRef', 'autoscaling.v1.CrossVersionObjectReference'], 2: ['minReplicas', 'int32'],
    3: ['maxReplicas', 'int32'], 4: ['targetCPUUtilizationPercentage', 'int32'],
  },
  'autoscaling.v1.HorizontalPodAutoscalerStatus': {
    1: ['observedGeneration', 'int64'], 2: ['lastScaleTime', 'Time'], 3: ['currentReplicas', 'int32'],
    4: ['desiredReplicas', 'int32'], 5: ['currentCPUUtilizationPercentage', 'int32'],
  },
  'autoscaling.v1.Scale': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'autoscaling.v1.ScaleSpec', 'o'],
    3: ['status', 'autoscaling.v1.ScaleStatus', 'o'],
  },
  'autoscaling.v1.ScaleSpec': {
    1: ['replicas', 'int32', 'o'],
  },
  'autoscaling.v1.ScaleStatus': {
    1: ['replicas', 'int32'], 2: ['selector', 'string', 'o'],
  },
};
