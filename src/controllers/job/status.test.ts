import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { countReleased, newFinishedPods, recordFinished, setCondition, succeededIndexes } from './status.ts';
import { firstPendingIndexes, formatIndexes, parseIndexes } from './indexed.ts';
import { jobTrackingFinalizer, podFromJob } from './pod-template.ts';

type J = Job & KubeObject;
type P = Pod & KubeObject;

const job = (status: J['status'] = {}, spec: Partial<NonNullable<J['spec']>> = {}): J => ({
  metadata: { name: 'j', namespace: 'ns', uid: 'job-uid' },
  spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } }, ...spec },
  status,
});

function pod(uid: string, phase: string, opts: { tracked?: boolean; deleting?: boolean; ready?: boolean; index?: number } = {}): P {
  return {
    metadata: {
      name: uid,
      uid,
      finalizers: opts.tracked === false ? [] : [jobTrackingFinalizer],
      ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      ...(opts.index !== undefined ? { annotations: { 'batch.kubernetes.io/job-completion-index': String(opts.index) } } : {}),
    },
    status: { phase, conditions: opts.ready ? [{ type: 'Ready', status: 'True' }] : [] },
  };
}

test('finished pods are recorded as uncounted, then counted once released', () => {
  const pods = [pod('a', 'Running', { ready: true }), pod('b', 'Pending'), pod('c', 'Succeeded'), pod('d', 'Failed'), pod('e', 'Succeeded', { tracked: false })];
  const j = job({ succeeded: 1 });
  const fresh = newFinishedPods(j, pods);
  assert.deepEqual(fresh.succeeded.map((p) => p.metadata?.uid), ['c']);
  assert.deepEqual(fresh.failed.map((p) => p.metadata?.uid), ['d']);
  const { release, changed } = recordFinished(j, pods, undefined);
  assert.equal(changed, true);
  // 'e' has no finalizer: it was counted already and must not be counted again.
  assert.deepEqual(release.map((p) => p.metadata?.uid), ['c', 'd']);
  assert.deepEqual(j.status?.uncountedTerminatedPods, { succeeded: ['c'], failed: ['d'] });
  // Only released pods move into the counters; the rest stay uncounted for the next pass.
  assert.equal(countReleased(j, new Set(['a', 'b', 'd'])), true);
  assert.equal(j.status?.succeeded, 2);
  assert.equal(j.status?.failed ?? 0, 0);
  assert.deepEqual(j.status?.uncountedTerminatedPods, { failed: ['d'] });
  assert.equal(countReleased(j, new Set(['a', 'b', 'd'])), false);
  // A second pass finds nothing new for the pod already recorded.
  assert.equal(newFinishedPods(j, [pods[3]!]).failed.length, 0);
  assert.equal(recordFinished(j, [pods[3]!], undefined).changed, false);
  countReleased(j, new Set());
  assert.equal(j.status?.failed, 1);
  assert.deepEqual(j.status?.uncountedTerminatedPods, {});
});

test('a deleted unfinished pod counts as failed, unless only Failed pods are replaced', () => {
  const deleting = pod('x', 'Running', { deleting: true });
  assert.equal(newFinishedPods(job(), [deleting]).failed.length, 1);
  assert.equal(newFinishedPods(job({}, { podReplacementPolicy: 'Failed' }), [deleting]).failed.length, 0);
});

test('a failing job counts its running pods as failed; a succeeding one lets them go', () => {
  const running = pod('r', 'Running');
  const failing = job();
  assert.deepEqual(recordFinished(failing, [running], 'failure').release.length, 1);
  assert.deepEqual(failing.status?.uncountedTerminatedPods, { failed: ['r'] });
  const done = job();
  assert.equal(recordFinished(done, [running], 'success').release.length, 1);
  assert.deepEqual(done.status?.uncountedTerminatedPods, {});
  // Without a finish condition a running pod keeps its finalizer.
  assert.equal(recordFinished(job(), [running], undefined).release.length, 0);
});

test('indexed jobs count completed indexes, not pods', () => {
  const j = job({ completedIndexes: '1' }, { completionMode: 'Indexed', completions: 4 });
  const pods = [pod('a', 'Succeeded', { index: 0 }), pod('b', 'Succeeded', { index: 0 }), pod('c', 'Succeeded', { index: 9 })];
  assert.equal(formatIndexes(succeededIndexes(j, pods, parseIndexes(j.status?.completedIndexes, 4))), '0-1');
  recordFinished(j, pods, undefined);
  assert.deepEqual(j.status?.uncountedTerminatedPods, {}, 'indexed successes need no UID');
});

test('completedIndexes intervals and pending indexes', () => {
  assert.equal(formatIndexes([5, 1, 2, 3, 7, 8]), '1-3,5,7-8');
  assert.equal(formatIndexes([]), '');
  assert.deepEqual(parseIndexes('1-3,5,7-9', 9), [1, 2, 3, 5, 7, 8]);
  assert.deepEqual(firstPendingIndexes(6, new Set([0, 2]), new Set([1]), 2), [3, 4]);
});

test('conditions change only when status, reason or message do', () => {
  const j = job();
  assert.equal(setCondition(j, 'Suspended', 'True', 'JobSuspended', 'Job suspended', 't1'), true);
  assert.equal(setCondition(j, 'Suspended', 'True', 'JobSuspended', 'Job suspended', 't2'), false);
  assert.equal(j.status?.conditions?.[0]?.lastTransitionTime, 't1');
  assert.equal(setCondition(j, 'Suspended', 'False', 'JobResumed', 'Job resumed', 't3'), true);
  assert.equal(j.status?.conditions?.[0]?.lastTransitionTime, 't3');
  // A False condition that was never True is not added.
  assert.equal(setCondition(j, 'Complete', 'False', 'x', 'y', 't4'), false);
});

test('pods of an Indexed job carry their index', () => {
  const p = podFromJob(job({}, { completionMode: 'Indexed', completions: 3 }), 1);
  assert.equal(p.metadata?.generateName, 'j-1-');
  assert.equal(p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], '1');
  assert.equal(p.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], '1');
  assert.equal(p.spec?.hostname, 'j-1');
  assert.deepEqual(p.metadata?.finalizers, [jobTrackingFinalizer]);
  assert.deepEqual(p.spec?.containers[0]?.env?.[0]?.valueFrom?.fieldRef?.fieldPath, "metadata.annotations['batch.kubernetes.io/job-completion-index']");
  assert.equal(p.metadata?.ownerReferences?.[0]?.uid, 'job-uid');
  assert.equal(podFromJob(job()).metadata?.generateName, 'j-');
});
