import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobStrategy } from './job.ts';

const now = new Date('2026-01-01T00:10:00Z');

function job(extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: 'u-1', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } }, ...extra },
  } as any;
}

test('job selector generation and defaults', () => {
  const j = job();
  jobStrategy.prepareForCreate!(j);
  jobStrategy.defaults!(j);
  assert.deepEqual(j.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  assert.deepEqual(j.spec.template.metadata.labels, {
    'controller-uid': 'u-1',
    'job-name': 'pi',
    'batch.kubernetes.io/controller-uid': 'u-1',
    'batch.kubernetes.io/job-name': 'pi',
  });
  assert.equal(j.spec.completions, 1);
  assert.equal(j.spec.parallelism, 1);
  assert.equal(j.spec.backoffLimit, 6);
  assert.equal(j.spec.completionMode, 'NonIndexed');
  assert.equal(j.spec.suspend, false);
  assert.deepEqual(jobStrategy.validate(j), []);
});

test('job manual selector is left alone', () => {
  const j = job({ manualSelector: true, selector: { matchLabels: { a: 'b' } } });
  j.spec.template.metadata = { labels: { a: 'b' } };
  jobStrategy.prepareForCreate!(j);
  assert.deepEqual(j.spec.template.metadata.labels, { a: 'b' });
});

test('job restartPolicy must be OnFailure or Never', () => {
  const j = job();
  j.spec.template.spec.restartPolicy = 'Always';
  jobStrategy.prepareForCreate!(j);
  jobStrategy.defaults!(j);
  const errs = jobStrategy.validate(j);
  assert.ok(errs.some((e) => e.field === 'spec.template.spec.restartPolicy' && e.type === 'FieldValueNotSupported'), JSON.stringify(errs));
});

test('job table', () => {
  const j = job();
  jobStrategy.prepareForCreate!(j);
  jobStrategy.defaults!(j);
  j.status = {
    succeeded: 1,
    startTime: '2026-01-01T00:00:00Z',
    completionTime: '2026-01-01T00:00:05Z',
    conditions: [{ type: 'Complete', status: 'True' }],
  };
  assert.deepEqual(
    jobStrategy.table.columns.map((c) => c.name),
    ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector'],
  );
  assert.deepEqual(jobStrategy.table.cells(j, now), ['pi', 'Complete', '1/1', '5s', '10m', 'pi', 'perl', 'batch.kubernetes.io/controller-uid=u-1']);
  j.status = {};
  assert.equal(jobStrategy.table.cells(j, now)[1], 'Running');
  assert.equal(jobStrategy.table.cells(j, now)[3], '');
});
