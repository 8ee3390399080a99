import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { computePodStatus, type ContainerView } from './pod-status.ts';
import { computePodQOS } from './qos.ts';
import type { ContainerStatus } from './runtime/interface.ts';

const now = new Date('2026-01-01T00:00:00Z');
const ctr = (state: ContainerStatus['state'], exitCode = 0, id = 'abc'): ContainerStatus => ({
  id, name: 'c', attempt: 0, state, createdAt: 1000, startedAt: 2000, finishedAt: state === 'exited' ? 3000 : 0, exitCode,
  reason: state === 'exited' ? (exitCode ? 'Error' : 'Completed') : '', message: '', image: { name: 'busybox', id: 'sha256:1' }, labels: {},
});
const pod = (restartPolicy = 'Always', init = false): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: { restartPolicy, containers: [{ name: 'c', image: 'busybox' }], ...(init ? { initContainers: [{ name: 'i', image: 'busybox' }] } : {}) },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }] },
});
const view = (v: Partial<ContainerView>): ContainerView => ({ restartCount: 0, ready: false, started: false, ...v });
const compute = (p: Pod, c: ContainerView | undefined, i?: ContainerView) =>
  computePodStatus(p, { runtimeName: 'process', sandboxReady: true, hostIP: '127.0.0.1', podIP: '127.0.0.1', init: new Map(i ? [['i', i]] : []), containers: new Map(c ? [['c', c]] : []), now });

describe('pod status', () => {
  it('is Running and Ready with a ready running container', () => {
    const s = compute(pod(), view({ current: ctr('running'), ready: true, started: true }));
    assert.equal(s.phase, 'Running');
    assert.deepEqual(s.conditions?.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    assert.equal(s.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime, '2025-01-01T00:00:00Z');
    const cs = s.containerStatuses![0]!;
    assert.equal(cs.containerID, 'process://abc');
    assert.equal(cs.imageID, 'sha256:1');
    assert.deepEqual(cs.state, { running: { startedAt: '1970-01-01T00:00:02Z' } });
    assert.equal(cs.ready, true);
    assert.equal(s.qosClass, 'BestEffort');
  });

  it('shows CrashLoopBackOff with the last termination and stays Running under Always', () => {
    const s = compute(pod(), view({ current: ctr('exited', 1), restartCount: 2, waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=c pod=p_default(u)' } }));
    const cs = s.containerStatuses![0]!;
    assert.equal(cs.state?.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(cs.lastState?.terminated?.exitCode, 1);
    assert.equal(cs.lastState?.terminated?.reason, 'Error');
    assert.equal(cs.restartCount, 2);
    assert.equal(s.phase, 'Running');
    const ready = s.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.reason, 'ContainersNotReady');
    assert.equal(ready?.message, 'containers with unready status: [c]');
  });

  it('computes terminal phases by restart policy', () => {
    assert.equal(compute(pod('Never'), view({ current: ctr('exited', 0) })).phase, 'Succeeded');
    assert.equal(compute(pod('Never'), view({ current: ctr('exited', 2) })).phase, 'Failed');
    assert.equal(compute(pod('OnFailure'), view({ current: ctr('exited', 0) })).phase, 'Succeeded');
    const done = compute(pod('Never'), view({ current: ctr('exited', 0) }));
    assert.equal(done.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
  });

  it('is Pending with PodInitializing while init containers run', () => {
    const s = compute(pod('Always', true), undefined, view({ current: ctr('running', 0, 'init1') }));
    assert.equal(s.phase, 'Pending');
    assert.equal(s.containerStatuses![0]!.state?.waiting?.reason, 'PodInitializing');
    const init = s.conditions?.find((c) => c.type === 'Initialized');
    assert.equal(init?.status, 'False');
    assert.equal(init?.message, 'containers with incomplete status: [i]');
    const failed = compute(pod('Never', true), undefined, view({ current: ctr('exited', 1, 'init1') }));
    assert.equal(failed.phase, 'Failed');
  });

  it('classifies QoS', () => {
    const p = (resources: object): Pod => ({ spec: { containers: [{ name: 'c', resources }] } });
    // The API server defaults requests from limits before the kubelet sees a pod.
    assert.equal(computePodQOS(p({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })), 'Guaranteed');
    assert.equal(computePodQOS(p({ requests: { cpu: '1000m', memory: '1024Mi' }, limits: { cpu: '1', memory: '1Gi' } })), 'Guaranteed', 'quantities compare by value');
    assert.equal(computePodQOS(p({ requests: { cpu: '1' } })), 'Burstable');
    assert.equal(computePodQOS(p({})), 'BestEffort');
  });
});
