import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSimOptions } from './options.ts';
import { deletionDueInMs, stepPod, type P } from './pod-status.ts';

const opts = resolveSimOptions({ podRunMs: 1000, podReadyDelayMs: 0, podStopDelayMs: 500 });
const t0 = new Date('2025-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

function pod(extra: Partial<P['spec']> = {}, annotations?: Record<string, string>): P {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u1', annotations },
    spec: { nodeName: 'sim-0', containers: [{ name: 'app', image: 'nginx' }], restartPolicy: 'Always', ...extra },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}

const condition = (p: P['status'], type: string) => p?.conditions?.find((c) => c.type === type);
const apply = (p: P, status: P['status']): P => ({ ...p, status });

test('a pending pod waits for an IP, then starts Running and Ready with the kubelet conditions', () => {
  const p = pod();
  assert.deepEqual(stepPod(p, { now: t0, hostIP: '10.200.0.1', podIP: undefined, opts }), { needsIP: true });
  const step = stepPod(p, { now: t0, hostIP: '10.200.0.1', podIP: '10.42.0.2', opts });
  const s = step.status!;
  assert.equal(step.started, true);
  assert.equal(step.wakeAfterMs, undefined, 'a restartPolicy Always pod has nothing more to do');
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.42.0.2');
  assert.deepEqual(s.podIPs, [{ ip: '10.42.0.2' }]);
  assert.equal(s.hostIP, '10.200.0.1');
  assert.equal(s.startTime, '2025-01-01T00:00:00Z');
  assert.equal(s.qosClass, 'BestEffort', 'fields the kubelet does not own are kept');
  assert.deepEqual(
    s.conditions!.map((c) => [c.type, c.status]),
    [
      ['PodReadyToStartContainers', 'True'],
      ['Initialized', 'True'],
      ['Ready', 'True'],
      ['ContainersReady', 'True'],
      ['PodScheduled', 'True'],
    ],
  );
  const cs = s.containerStatuses![0]!;
  assert.equal(cs.ready, true);
  assert.equal(cs.started, true);
  assert.equal(cs.restartCount, 0);
  assert.equal(cs.state?.running?.startedAt, '2025-01-01T00:00:00Z');
  assert.match(cs.containerID ?? '', /^sim:\/\/[0-9a-f]{64}$/);
  // Once running and ready, nothing changes.
  assert.deepEqual(stepPod(apply(p, s), { now: at(5000), hostIP: '10.200.0.1', podIP: '10.42.0.2', opts }), { wakeAfterMs: undefined });
});

test('readiness comes after the readiness delay, with upstream reasons while not ready', () => {
  const p = pod({}, { 'sim.skiff.dev/ready-seconds': '2' });
  const first = stepPod(p, { now: t0, hostIP: 'h', podIP: '10.42.0.3', opts });
  assert.equal(first.wakeAfterMs, 2000);
  const ready = condition(first.status, 'Ready')!;
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'ContainersNotReady');
  assert.equal(ready.message, 'containers with unready status: [app]');
  assert.equal(condition(first.status, 'ContainersReady')!.reason, 'ContainersNotReady');
  const running = apply(p, first.status);
  const early = stepPod(running, { now: at(1000), hostIP: 'h', podIP: '10.42.0.3', startedAtMs: t0.getTime(), opts });
  assert.equal(early.status, undefined);
  assert.equal(early.wakeAfterMs, 1000);
  const later = stepPod(running, { now: at(2000), hostIP: 'h', podIP: '10.42.0.3', startedAtMs: t0.getTime(), opts });
  assert.equal(condition(later.status, 'Ready')!.status, 'True');
  assert.equal(later.status!.containerStatuses![0]!.ready, true);
  assert.equal(condition(later.status, 'Ready')!.lastTransitionTime, '2025-01-01T00:00:02Z');
  assert.equal(condition(later.status, 'Initialized')!.lastTransitionTime, '2025-01-01T00:00:00Z', 'unchanged conditions keep their transition time');
});

test('a restartPolicy Never pod completes after its run time: Succeeded, terminated Completed', () => {
  const p = pod({ restartPolicy: 'Never' });
  const first = stepPod(p, { now: t0, hostIP: 'h', podIP: '10.42.0.4', opts });
  assert.equal(first.wakeAfterMs, 1000);
  const running = apply(p, first.status);
  assert.equal(stepPod(running, { now: at(500), hostIP: 'h', podIP: '10.42.0.4', startedAtMs: t0.getTime(), opts }).wakeAfterMs, 500);
  const done = stepPod(running, { now: at(1000), hostIP: 'h', podIP: '10.42.0.4', startedAtMs: t0.getTime(), opts });
  const s = done.status!;
  assert.equal(s.phase, 'Succeeded');
  const term = s.containerStatuses![0]!.state?.terminated;
  assert.equal(term?.exitCode, 0);
  assert.equal(term?.reason, 'Completed');
  assert.equal(term?.finishedAt, '2025-01-01T00:00:01Z');
  assert.equal(s.containerStatuses![0]!.ready, false);
  assert.deepEqual(
    s.conditions!.map((c) => [c.type, c.status, c.reason]),
    [
      ['PodReadyToStartContainers', 'False', undefined],
      ['Initialized', 'True', 'PodCompleted'],
      ['Ready', 'False', 'PodCompleted'],
      ['ContainersReady', 'False', 'PodCompleted'],
      ['PodScheduled', 'True', undefined],
    ],
  );
  assert.deepEqual(stepPod(apply(p, s), { now: at(9000), hostIP: 'h', podIP: undefined, opts }), {}, 'a finished pod is left alone');
});

test('annotations override the run time and exit code; a failure fails under Never and restarts under OnFailure', () => {
  const ann = { 'sim.skiff.dev/run-seconds': '3', 'sim.skiff.dev/exit-code': '2' };
  const never = pod({ restartPolicy: 'Never' }, ann);
  const r1 = apply(never, stepPod(never, { now: t0, hostIP: 'h', podIP: 'i', opts }).status);
  assert.equal(stepPod(r1, { now: at(1000), hostIP: 'h', podIP: 'i', startedAtMs: t0.getTime(), opts }).status, undefined);
  const failed = stepPod(r1, { now: at(3000), hostIP: 'h', podIP: 'i', startedAtMs: t0.getTime(), opts }).status!;
  assert.equal(failed.phase, 'Failed');
  assert.equal(failed.containerStatuses![0]!.state?.terminated?.reason, 'Error');
  assert.equal(failed.containerStatuses![0]!.state?.terminated?.exitCode, 2);
  assert.equal(condition(failed, 'Ready')!.reason, 'PodFailed');

  const onFailure = pod({ restartPolicy: 'OnFailure' }, ann);
  const r2 = apply(onFailure, stepPod(onFailure, { now: t0, hostIP: 'h', podIP: 'i', opts }).status);
  const restarted = stepPod(r2, { now: at(3000), hostIP: 'h', podIP: 'i', startedAtMs: t0.getTime(), opts });
  assert.equal(restarted.started, true);
  assert.equal(restarted.status!.phase, 'Running');
  const cs = restarted.status!.containerStatuses![0]!;
  assert.equal(cs.restartCount, 1);
  assert.equal(cs.lastState?.terminated?.exitCode, 2);
  assert.ok(cs.state?.running);
});

test('init containers complete at once; readiness gates hold Ready back', () => {
  const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }], readinessGates: [{ conditionType: 'example.com/lb' }] });
  const s = stepPod(p, { now: t0, hostIP: 'h', podIP: 'i', opts }).status!;
  assert.equal(s.initContainerStatuses![0]!.state?.terminated?.reason, 'Completed');
  assert.equal(condition(s, 'ContainersReady')!.status, 'True');
  const ready = condition(s, 'Ready')!;
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'ReadinessGatesNotReady');
  assert.equal(ready.message, 'corresponding condition of pod readiness gate "example.com/lb" does not exist.');
});

test('a pod marked for deletion goes after min(grace period, stop delay)', () => {
  const marked = (graceSeconds: number): P => {
    const p = pod();
    return { ...p, metadata: { ...p.metadata, deletionTimestamp: at(graceSeconds * 1000).toISOString(), deletionGracePeriodSeconds: graceSeconds } };
  };
  assert.equal(deletionDueInMs(marked(30), t0, opts), 500);
  assert.equal(deletionDueInMs(marked(30), at(600), opts), -100);
  assert.equal(deletionDueInMs(marked(0), t0, opts), 0);
  // The timestamp has whole seconds; a finer time the pool saw the request wins.
  const coarse = marked(30);
  assert.equal(deletionDueInMs(coarse, at(400), opts, t0.getTime() + 300), 400);
  const finished = marked(30);
  assert.equal(deletionDueInMs({ ...finished, status: { phase: 'Succeeded' } }, t0, opts), 0, 'a finished pod has nothing to stop');
});
