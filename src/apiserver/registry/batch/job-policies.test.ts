import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../../api/field-error.ts';
import { jobStrategy } from './job.ts';
import { checkIndexesFormat } from './job-policies.ts';

function job(spec: Record<string, unknown>, restartPolicy = 'Never') {
  const j = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: 'u-1' },
    spec: { template: { spec: { restartPolicy, containers: [{ name: 'main', image: 'busybox' }] } }, ...spec },
  } as any;
  jobStrategy.prepareForCreate!(j);
  jobStrategy.defaults!(j);
  return jobStrategy.validate(j).map((e) => `${e.field}: ${fieldErrorMessage(e)}`);
}

const exitRule = (action: string, values: number[], operator = 'In') => ({ action, onExitCodes: { operator, values } });

test('a valid pod failure policy, per-index backoff and success policy pass', () => {
  assert.deepEqual(
    job({
      completionMode: 'Indexed',
      completions: 4,
      backoffLimitPerIndex: 1,
      maxFailedIndexes: 2,
      podFailurePolicy: { rules: [exitRule('FailIndex', [3]), { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] },
      successPolicy: { rules: [{ succeededIndexes: '0-1', succeededCount: 2 }] },
    }),
    [],
  );
});

test('pod failure policy rules are checked as upstream', () => {
  const errs = job({ podFailurePolicy: { rules: [exitRule('FailJob', [0, 5, 2]), { action: 'Explode' }, exitRule('FailIndex', [1])] } }, 'OnFailure');
  assert.ok(errs.includes('spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator'), errs.join('\n'));
  assert.ok(errs.includes('spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: [0,5,2]: must be ordered'), errs.join('\n'));
  assert.ok(errs.some((e) => e.startsWith('spec.podFailurePolicy.rules[1].action: Unsupported value: "Explode"')), errs.join('\n'));
  assert.ok(errs.some((e) => e.endsWith('specifying one of OnExitCodes and OnPodConditions is required')), errs.join('\n'));
  assert.ok(errs.includes('spec.podFailurePolicy.rules[2].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set'), errs.join('\n'));
  assert.ok(errs.includes('spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified'), errs.join('\n'));
});

test('per-index backoff and success policy need Indexed mode', () => {
  const errs = job({ backoffLimitPerIndex: 1, successPolicy: { rules: [{ succeededCount: 1 }] } });
  assert.ok(errs.includes('spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode'), errs.join('\n'));
  assert.ok(errs.some((e) => e.startsWith('spec.successPolicy: Invalid value') && e.endsWith('requires indexed completion mode')), errs.join('\n'));
  const missing = job({ completionMode: 'Indexed', completions: 2, maxFailedIndexes: 1 });
  assert.ok(missing.includes('spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified'), missing.join('\n'));
  const count = job({ completionMode: 'Indexed', completions: 2, successPolicy: { rules: [{ succeededCount: 3 }] } });
  assert.ok(count.includes('spec.successPolicy.rules[0].succeededCount: Invalid value: 3: must be less than or equal to 2 (the number of specified completions)'));
});

test('indexes format', () => {
  assert.deepEqual(checkIndexesFormat('0,2-4', 5), { total: 4 });
  assert.match(checkIndexesFormat('3,1', 5).error ?? '', /non-increasing order/);
  assert.match(checkIndexesFormat('7', 5).error ?? '', /too large index/);
});
