/**
 * @module Pod status as the kubelet computes it (upstream generateAPIPodStatus / getPhase /
 * the status package's condition generators): phase, the kubelet's conditions in upstream's
 * order (PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled),
 * container statuses with state/lastState, restartCount, ready/started, image IDs and
 * `<runtime>://<id>` container IDs, host/pod IPs and QoS class. Pure: the pod worker gathers the
 * inputs, the status manager writes the result.
 */
import type { Container, ContainerState, ContainerStatus as ApiContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus } from './runtime/interface.ts';
import { podQOSClass } from './qos.ts';

/** What the worker knows about one container of the spec. */
export interface ContainerView {
  /** The newest runtime container for this name, if any. */
  current?: ContainerStatus;
  /** The one before it (for lastState). */
  previous?: ContainerStatus;
  restartCount: number;
  /** A waiting reason the worker decided (CrashLoopBackOff, CreateContainerConfigError, …). */
  waiting?: { reason: string; message?: string };
  ready: boolean;
  started: boolean;
}

export interface StatusInputs {
  runtimeName: string;
  sandboxReady: boolean;
  hostIP: string;
  podIP: string;
  init: Map<string, ContainerView>;
  containers: Map<string, ContainerView>;
  now: Date;
}

export const rfc3339 = (ms: number | Date): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function terminated(c: ContainerStatus, runtime: string): ContainerState {
  return {
    terminated: {
      exitCode: c.exitCode,
      reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error'),
      ...(c.message ? { message: c.message } : {}),
      startedAt: c.startedAt ? rfc3339(c.startedAt) : undefined,
      finishedAt: rfc3339(c.finishedAt || c.startedAt || c.createdAt),
      containerID: `${runtime}://${c.id}`,
    },
  } as ContainerState;
}

function containerStatus(spec: Container, v: ContainerView | undefined, runtime: string, waitingDefault: string): ApiContainerStatus {
  const base = { name: spec.name, image: spec.image ?? '', imageID: '', restartCount: v?.restartCount ?? 0, ready: false, started: false };
  if (!v?.current) return { ...base, state: { waiting: { reason: v?.waiting?.reason ?? waitingDefault, ...(v?.waiting?.message ? { message: v.waiting.message } : {}) } }, lastState: {} };
  const cur = v.current;
  const id = { containerID: `${runtime}://${cur.id}`, imageID: cur.image.digestRef ?? cur.image.id };
  let state: ContainerState;
  let lastState: ContainerState = v.previous && v.previous.state === 'exited' ? terminated(v.previous, runtime) : {};
  if (v.waiting) {
    state = { waiting: { reason: v.waiting.reason, ...(v.waiting.message ? { message: v.waiting.message } : {}) } };
    if (cur.state === 'exited') lastState = terminated(cur, runtime);
  } else if (cur.state === 'running') state = { running: { startedAt: rfc3339(cur.startedAt) } };
  else if (cur.state === 'exited') state = terminated(cur, runtime);
  else state = { waiting: { reason: 'ContainerCreating' } };
  const running = !!state.running;
  return { ...base, ...id, state, lastState, ready: running && v.ready, started: running && v.started };
}

/** Upstream getPhase. */
export function podPhase(pod: Pod, init: ApiContainerStatus[], regular: ApiContainerStatus[]): string {
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy === 'Always') continue;
    const s = init.find((x) => x.name === c.name);
    if (!s || s.state?.running) pendingInit++;
    else if (s.state?.terminated) { if (s.state.terminated.exitCode !== 0) failedInit++; }
    else if (s.state?.waiting && s.lastState?.terminated) { if (s.lastState.terminated.exitCode !== 0) failedInit++; }
    else pendingInit++;
  }
  let unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const c of pod.spec?.containers ?? []) {
    const s = regular.find((x) => x.name === c.name);
    if (!s) unknown++;
    else if (s.state?.running) running++;
    else if (s.state?.terminated) { stopped++; if (s.state.terminated.exitCode === 0) succeeded++; }
    else if (s.state?.waiting) { if (s.lastState?.terminated) stopped++; else waiting++; }
    else unknown++;
  }
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function cond(type: string, ok: boolean, old: PodCondition[] | undefined, now: Date, reason?: string, message?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  const lastTransitionTime = prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now);
  return { type, status, lastProbeTime: null as unknown as undefined, lastTransitionTime, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

export function computePodStatus(pod: Pod, inp: StatusInputs): PodStatus {
  const old = pod.status;
  const spec = pod.spec!;
  const initStatuses = (spec.initContainers ?? []).map((c) => containerStatus(c, inp.init.get(c.name), inp.runtimeName, 'PodInitializing'));
  const initDone = (spec.initContainers ?? []).every((c, i) => c.restartPolicy === 'Always' || initStatuses[i]!.state?.terminated?.exitCode === 0);
  const statuses = spec.containers.map((c) => containerStatus(c, inp.containers.get(c.name), inp.runtimeName, initDone ? 'ContainerCreating' : 'PodInitializing'));
  let phase = podPhase(pod, initStatuses, statuses);
  // A terminal phase is final.
  if (old?.phase === 'Succeeded' || old?.phase === 'Failed') phase = old.phase;
  const conds = old?.conditions;
  const incomplete = (spec.initContainers ?? []).filter((c, i) => c.restartPolicy !== 'Always' && initStatuses[i]!.state?.terminated?.exitCode !== 0).map((c) => c.name);
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  const completed = phase === 'Succeeded';
  const readyArgs: [boolean, string | undefined, string | undefined] = completed
    ? [false, 'PodCompleted', undefined]
    : unready.length ? [false, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`] : [true, undefined, undefined];
  const kubeletConds = [
    cond('PodReadyToStartContainers', inp.sandboxReady, conds, inp.now),
    incomplete.length && !completed
      ? cond('Initialized', false, conds, inp.now, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`)
      : cond('Initialized', true, conds, inp.now, completed && spec.initContainers?.length ? 'PodCompleted' : undefined),
    cond('Ready', readyArgs[0], conds, inp.now, readyArgs[1], readyArgs[2]),
    cond('ContainersReady', readyArgs[0], conds, inp.now, readyArgs[1], readyArgs[2]),
  ];
  const mine = new Set(kubeletConds.map((c) => c.type));
  const others = (conds ?? []).filter((c) => !mine.has(c.type));
  if (!others.some((c) => c.type === 'PodScheduled')) others.push(cond('PodScheduled', true, conds, inp.now));
  const status: PodStatus = {
    ...old,
    phase,
    conditions: [...kubeletConds, ...others],
    hostIP: inp.hostIP,
    hostIPs: [{ ip: inp.hostIP }],
    startTime: old?.startTime ?? rfc3339(inp.now),
    containerStatuses: statuses,
    // Upstream GetPodQOS: the class the API server recorded at creation stays.
    qosClass: podQOSClass(pod),
  };
  if (inp.podIP) {
    status.podIP = inp.podIP;
    status.podIPs = [{ ip: inp.podIP }];
  }
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  return status;
}
