/**
 * @module A Job's podFailurePolicy applied to one failed pod (upstream pod_failure_policy.go
 * matchPodFailurePolicy): rules are tried in order; the first whose onExitCodes (a terminated
 * container with a non-zero exit code, optionally by name) or onPodConditions (a pod condition
 * of that type and status, e.g. DisruptionTarget) match decides the action. No match counts
 * the failure as usual.
 */
import type { Job, PodFailurePolicy, PodFailurePolicyOnExitCodesRequirement } from 'kubernetes-types/batch/v1.js';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';

type P = Pod & KubeObject;

export type FailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface FailureMatch {
  /** Set for FailJob: the FailureTarget / Failed condition message. */
  failJobMessage?: string;
  /** Whether the failure counts against backoffLimit (and backoffLimitPerIndex). */
  countFailed: boolean;
  /** The matching rule's action; undefined when no rule matched. */
  action?: FailureAction;
}

function matchingContainer(statuses: readonly ContainerStatus[] | undefined, req: PodFailurePolicyOnExitCodesRequirement): ContainerStatus | undefined {
  for (const cs of statuses ?? []) {
    const code = cs.state?.terminated?.exitCode;
    if (code === undefined || code === 0) continue;
    if (req.containerName != null && req.containerName !== cs.name) continue;
    const listed = req.values.includes(code);
    if (req.operator === 'In' ? listed : req.operator === 'NotIn' ? !listed : false) return cs;
  }
  return undefined;
}

export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: P): FailureMatch {
  if (!policy) return { countFailed: true };
  const ref = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  for (const [index, rule] of policy.rules.entries()) {
    const action = rule.action as FailureAction;
    let failJobMessage: string | undefined;
    if (rule.onExitCodes) {
      const cs =
        matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes) ?? matchingContainer(pod.status?.containerStatuses, rule.onExitCodes);
      if (!cs) continue;
      failJobMessage = `Container ${cs.name} for pod ${ref} failed with exit code ${cs.state?.terminated?.exitCode} matching ${action} rule at index ${index}`;
    } else if (rule.onPodConditions?.length) {
      const cond = rule.onPodConditions
        .map((pat) => pod.status?.conditions?.find((c) => c.type === pat.type && c.status === (pat.status || 'True')))
        .find((c) => c !== undefined);
      if (!cond) continue;
      failJobMessage = `Pod ${ref} has condition ${cond.type} matching ${action} rule at index ${index}`;
    } else continue;
    switch (action) {
      case 'Ignore':
        return { countFailed: false, action };
      case 'FailJob':
        return { failJobMessage, countFailed: true, action };
      default:
        return { countFailed: true, action };
    }
  }
  return { countFailed: true };
}

/** getFailJobMessage: the first failed pod that a FailJob rule matches fails the whole Job. */
export function failJobMessage(job: Job & KubeObject, failedPods: readonly P[]): string | undefined {
  if (!job.spec?.podFailurePolicy) return undefined;
  for (const p of failedPods) {
    const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p);
    if (m.failJobMessage) return m.failJobMessage;
  }
  return undefined;
}
