/**
 * @module Field tables for batch/v1, written by tools/gen-tables.ts (v0.32.4); see ../table.ts.
 */
import type { MessageTable } from '../table.ts';

export const batchMessages: MessageTable = {
  'batch.v1.CronJob': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'batch.v1.CronJobSpec', 'o'],
    3: ['status', 'batch.v1.CronJobStatus', 'o'],
  },
  'batch.v1.CronJobSpec': {
    1: ['schedule', 'string'], 8: ['timeZone', 'string'], 2: ['startingDeadlineSeconds', 'int64'],
    3: ['concurrencyPolicy', 'string', 'o'], 4: ['suspend', 'bool'],
    5: ['jobTemplate', 'batch.v1.JobTemplateSpec'], 6: ['successfulJobsHistoryLimit', 'int32'],
    7: ['failedJobsHistoryLimit', 'int32'],
  },
  'batch.v1.CronJobStatus': {
    1: ['active', 'core.v1.ObjectReference', 'r'], 4: ['lastScheduleTime', 'Time'],
    5: ['lastSuccessfulTime', 'Time'],
  },
  'batch.v1.Job': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'batch.v1.JobSpec', 'o'],
    3: ['status', 'batch.v1.JobStatus', 'o'],
  },
  'batch.v1.JobCondition': {
    1: ['type', 'string'], 2: ['status', 'string'], 3: ['lastProbeTime', 'Time', 'o'],
    4: ['lastTransitionTime', 'Time', 'o'], 5: ['reason', 'string', 'o'], 6: ['message', 'string', 'o'],
  },
  'batch.v1.JobSpec': {
    1: ['parallelism', 'int32'], 2: ['completions', 'int32'], 3: ['activeDeadlineSeconds', 'int64'],
    11: ['podFailurePolicy', 'batch.v1.PodFailurePolicy'], 16: ['successPolicy', 'batch.v1.SuccessPolicy'],
    7: ['backoffLimit', 'int32'], 12: ['backoffLimitPerIndex', 'int32'], 13: ['maxFailedIndexes', 'int32'],
    4: ['selector', 'meta.v1.LabelSelector'], 5: ['manualSelector', 'bool'],
    6: ['template', 'core.v1.PodTemplateSpec'], 8: ['ttlSecondsAfterFinished', 'int32'],
    9: ['completionMode', 'string'], 10: ['suspend', 'bool'], 14: ['podReplacementPolicy', 'string'],
    15: ['managedBy', 'string'],
  },
  'batch.v1.JobStatus': {
    1: ['conditions', 'batch.v1.JobCondition', 'r'], 2: ['startTime', 'Time'], 3: ['completionTime', 'Time'],
    4: ['active', 'int32', 'o'], 5: ['succeeded', 'int32', 'o'], 6: ['failed', 'int32', 'o'],
    11: ['terminating', 'int32'], 7: ['completedIndexes', 'string', 'o'], 10: ['failedIndexes', 'string'],
    8: ['uncountedTerminatedPods', 'batch.v1.UncountedTerminatedPods'], 9: ['ready', 'int32'],
  },
  'batch.v1.JobTemplateSpec': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'batch.v1.JobSpec', 'o'],
  },
  'batch.v1.PodFailurePolicy': {
    1: ['rules', 'batch.v1.PodFailurePolicyRule', 'r'],
  },
  'batch.v1.PodFailurePolicyOnExitCodesRequirement': {
    1: ['containerName', 'string'], 2: ['operator', 'string'], 3: ['values', 'int32', 'r'],
  },
  'batch.v1.PodFailurePolicyOnPodConditionsPattern': {
    1: ['type', 'string'], 2: ['status', 'string'],
  },
  'batch.v1.PodFailurePolicyRule': {
    1: ['action', 'string'], 2: ['onExitCodes', 'batch.v1.PodFailurePolicyOnExitCodesRequirement'],
    3: ['onPodConditions', 'batch.v1.PodFailurePolicyOnPodConditionsPattern', 'r'],
  },
  'batch.v1.SuccessPolicy': {
    1: ['rules', 'batch.v1.SuccessPolicyRule', 'r'],
  },
  'batch.v1.SuccessPolicyRule': {
    1: ['succeededIndexes', 'string'], 2: ['succeededCount', 'int32'],
  },
  'batch.v1.UncountedTerminatedPods': {
    1: ['succeeded', 'string', 'r'], 2: ['failed', 'string', 'r'],
  },
};
