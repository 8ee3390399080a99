/**
 * @module Field tables for policy/v1, written by tools/gen-tables.ts (v0.32.4); see ../table.ts.
 */
import type { MessageTable } from '../table.ts';

export const policyMessages: MessageTable = {
  'policy.v1.Eviction': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['deleteOptions', 'meta.v1.DeleteOptions'],
  },
  'policy.v1.PodDisruptionBudget': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'policy.v1.PodDisruptionBudgetSpec', 'o'],
    3: ['status', 'policy.v1.PodDisruptionBudgetStatus', 'o'],
  },
  'policy.v1.PodDisruptionBudgetSpec': {
    1: ['minAvailable', 'IntOrString'], 2: ['selector', 'meta.v1.LabelSelector'],
    3: ['maxUnavailable', 'IntOrString'], 4: ['unhealthyPodEvictionPolicy', 'string'],
  },
  'policy.v1.PodDisruptionBudgetStatus': {
    1: ['observedGeneration', 'int64', 'o'], 2: ['disruptedPods', 'map<string,Time>'],
    3: ['disruptionsAllowed', 'int32'], 4: ['currentHealthy', 'int32'], 5: ['desiredHealthy', 'int32'],
    6: ['expectedPods', 'int32'], 7: ['conditions', 'meta.v1.Condition', 'r'],
  },
};
