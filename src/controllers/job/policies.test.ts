import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchPodFailurePolicy } from './failure-policy.ts';
import { failedIndexes, indexFailureCountKey, planIndexes } from './per-index.ts';
import { matchSuccessPolicy } from './success-policy.ts';
import { jobTrackingFinalizer } from './pod-template.ts';

function failedPod(name: string, exitCode: number, opts: { index?: number; failures?: number; conditions?: object[] } = {}) {
  const annotations: Record<string, string> = {};
  if (opts.index !== undefined) annotations['batch.kubernetes.io/job-completion-index'] = String(opts.index);
  if (opts.failures !== undefined) annotations[indexFailureCountKey] = String(opts.failures);
  return {
    metadata: { name, namespace: 'ns', uid: name, annotations, finalizers: [jobTrackingFinalizer] },
    status: {
      phase: 'Failed',
      conditions: opts.conditions ?? [],
      containerStatuses: [{ name: 'main', state: { terminated: { exitCode, finishedAt: '2026-01-01T00:00:00Z' } } }],
    },
  } as any;
}

const policy = {
  rules: [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'FailIndex', onExitCodes: { operator: 'In', values: [7] } },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1, 2] } },
  ],
} as any;

test('pod failure policy: first matching rule decides', () => {
  const fail = matchPodFailurePolicy(policy, failedPod('a', 42));
  assert.equal(fail.action, 'FailJob');
  assert.equal(fail.failJobMessage, 'Container main for pod ns/a failed with exit code 42 matching FailJob rule at index 1');
  const disrupted = matchPodFailurePolicy(policy, failedPod('b', 42, { conditions: [{ type: 'DisruptionTarget', status: 'True' }] }));
  assert.deepEqual(disrupted, { countFailed: false, action: 'Ignore' });
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod('c', 7)), { countFailed: true, action: 'FailIndex' });
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod('d', 9)), { countFailed: true, action: 'Count' });
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod('e', 1)), { countFailed: true });
  assert.deepEqual(matchPodFailurePolicy(undefined, failedPod('f', 1)), { countFailed: true });
});

test('per-index backoff: an index fails once its counted failures reach the limit', () => {
  const job = { spec: { completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 1, podFailurePolicy: policy, template: {} }, status: {} } as any;
  const pods = [failedPod('p0', 1, { index: 0, failures: 0 }), failedPod('p1', 1, { index: 1, failures: 1 }), failedPod('p2', 7, { index: 2, failures: 0 })];
  assert.deepEqual([...failedIndexes(job, pods)].sort(), [1, 2]);
  const plan = planIndexes(job, pods, Date.parse('2026-01-01T00:00:00Z') + 50, 100, 1000);
  assert.deepEqual(plan.annotations(0), { [indexFailureCountKey]: '1' });
  assert.equal(plan.backoffRemainingMs(0), 50);
  assert.deepEqual(plan.annotations(1), { [indexFailureCountKey]: '2' });
});

test('success policy', () => {
  const done = new Set([0, 2]);
  assert.equal(matchSuccessPolicy({ rules: [{ succeededIndexes: '0-1' }, { succeededIndexes: '0,2' }] }, 4, done), 'Matched rules at index 1');
  assert.equal(matchSuccessPolicy({ rules: [{ succeededCount: 3 }] }, 4, done), undefined);
  assert.equal(matchSuccessPolicy({ rules: [{ succeededIndexes: '0-3', succeededCount: 2 }] }, 4, done), 'Matched rules at index 0');
});
