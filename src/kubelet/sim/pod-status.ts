/**
 * @module What a simulated pod does, as pure functions of the pod and the time: start (phase
 * Running, pod IP, container statuses, the kubelet's conditions), become ready after the
 * readiness delay, and — for pods meant to finish (restartPolicy Never/OnFailure) — exit after
 * the run time (exit 0 → Succeeded/Completed; otherwise Failed/Error, or a restart under
 * OnFailure). The pool writes whatever status a step returns and comes back after `wakeAfterMs`.
 */
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { hashName, rfc3339 } from './node-object.ts';
import { simAnnotations, type SimOptions } from './options.ts';

export type P = Pod & KubeObject;

export interface PodStepContext {
  now: Date;
  hostIP: string;
  /** The IP to give the pod when it starts; undefined while none can be had yet. */
  podIP: string | undefined;
  /** When this process started the pod's containers (ms), more precise than status times. */
  startedAtMs?: number;
  opts: SimOptions;
}

export interface PodStep {
  /** The status to write, when it changes. */
  status?: PodStatus;
  /** Come back after this long (the next timed transition). */
  wakeAfterMs?: number;
  /** The pod cannot start before it has an IP. */
  needsIP?: boolean;
  /** Set when this step started (or restarted) the containers. */
  started?: boolean;
}

const isTerminal = (phase: string | undefined) => phase === 'Succeeded' || phase === 'Failed';
const finishes = (pod: P) => pod.spec?.restartPolicy === 'Never' || pod.spec?.restartPolicy === 'OnFailure';
const isSidecar = (c: Container) => c.restartPolicy === 'Always';

function annotationMs(pod: P, key: string, fallback: number): number {
  const v = pod.metadata?.annotations?.[key];
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n * 1000 : fallback;
}

export function readyDelayMs(pod: P, opts: SimOptions): number {
  return annotationMs(pod, simAnnotations.readySeconds, opts.podReadyDelayMs);
}

export function runMs(pod: P, opts: SimOptions): number {
  return annotationMs(pod, simAnnotations.runSeconds, opts.podRunMs);
}

export function exitCode(pod: P): number {
  const n = Number(pod.metadata?.annotations?.[simAnnotations.exitCode] ?? 0);
  return Number.isInteger(n) && n >= 0 && n <= 255 ? n : 1;
}

function containerID(pod: P, name: string, restart: number): string {
  const seed = `${pod.metadata?.uid ?? ''}/${name}/${restart}`;
  return `sim://${[0, 1, 2, 3, 4, 5, 6, 7].map((i) => hashName(`${i}:${seed}`).toString(16).padStart(8, '0')).join('')}`;
}

function imageID(image: string): string {
  return `${image}@sha256:${[0, 1, 2, 3, 4, 5, 6, 7].map((i) => hashName(`${i}:${image}`).toString(16).padStart(8, '0')).join('')}`;
}

function runningStatus(pod: P, c: Container, t: string, ready: boolean, restartCount = 0, lastState?: ContainerStatus['lastState']): ContainerStatus {
  return {
    name: c.name,
    image: c.image ?? '',
    imageID: imageID(c.image ?? ''),
    containerID: containerID(pod, c.name, restartCount),
    ready,
    started: true,
    restartCount,
    state: { running: { startedAt: t } },
    lastState: lastState ?? {},
  };
}

function cond(type: string, status: string, t: string, prev: PodCondition[] | undefined, reason?: string, message?: string): PodCondition {
  const old = prev?.find((c) => c.type === type);
  const lastTransitionTime = old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : t;
  const out: PodCondition = { type, status, lastProbeTime: null as unknown as string, lastTransitionTime };
  if (reason) out.reason = reason;
  if (message) out.message = message;
  return out;
}

/** The kubelet's conditions in its order: PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled. */
export function podConditions(pod: P, status: PodStatus, t: string): PodCondition[] {
  const prev = pod.status?.conditions;
  const phase = status.phase;
  const statuses = status.containerStatuses ?? [];
  const conds: PodCondition[] = [];
  conds.push(cond('PodReadyToStartContainers', isTerminal(phase) ? 'False' : 'True', t, prev));
  conds.push(phase === 'Succeeded' ? cond('Initialized', 'True', t, prev, 'PodCompleted') : cond('Initialized', 'True', t, prev));
  let containersReady: PodCondition;
  if (phase === 'Succeeded') containersReady = cond('ContainersReady', 'False', t, prev, 'PodCompleted');
  else if (phase === 'Failed') containersReady = cond('ContainersReady', 'False', t, prev, 'PodFailed');
  else {
    const unready = [...(pod.spec?.initContainers ?? []).filter(isSidecar), ...(pod.spec?.containers ?? [])]
      .filter((c) => !(statuses.find((s) => s.name === c.name) ?? status.initContainerStatuses?.find((s) => s.name === c.name))?.ready)
      .map((c) => c.name);
    containersReady = unready.length
      ? cond('ContainersReady', 'False', t, prev, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`)
      : cond('ContainersReady', 'True', t, prev);
  }
  let ready = cond('Ready', containersReady.status, t, prev, containersReady.reason, containersReady.message);
  if (containersReady.status === 'True') {
    const gates: string[] = [];
    for (const g of pod.spec?.readinessGates ?? []) {
      const c = prev?.find((x) => x.type === g.conditionType);
      if (!c) gates.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
      else if (c.status !== 'True') gates.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
    }
    if (gates.length) ready = cond('Ready', 'False', t, prev, 'ReadinessGatesNotReady', gates.join(', '));
  }
  conds.push(ready, containersReady);
  // PodScheduled is the scheduler's; a pod bound directly by spec.nodeName gets it from the kubelet.
  conds.push(prev?.find((c) => c.type === 'PodScheduled') ?? cond('PodScheduled', 'True', t, prev));
  const mine = new Set(conds.map((c) => c.type));
  // Conditions others own (readiness gates, DisruptionTarget) stay as they are.
  return [...conds, ...(prev ?? []).filter((c) => !mine.has(c.type))];
}

function startStatus(pod: P, ctx: PodStepContext): PodStatus {
  const t = rfc3339(ctx.now);
  const ready = readyDelayMs(pod, ctx.opts) <= 0;
  const ip = ctx.podIP!;
  const status: PodStatus = {
    ...pod.status,
    phase: 'Running',
    hostIP: ctx.hostIP,
    hostIPs: [{ ip: ctx.hostIP }],
    podIP: ip,
    podIPs: [{ ip }],
    startTime: pod.status?.startTime ?? t,
    containerStatuses: (pod.spec?.containers ?? []).map((c) => runningStatus(pod, c, t, ready)),
  };
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length) {
    // Regular init containers run to completion at once; sidecars keep running.
    status.initContainerStatuses = inits.map((c) =>
      isSidecar(c)
        ? runningStatus(pod, c, t, ready)
        : {
            name: c.name,
            image: c.image ?? '',
            imageID: imageID(c.image ?? ''),
            containerID: containerID(pod, c.name, 0),
            ready: true,
            started: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t, containerID: containerID(pod, c.name, 0) } },
            lastState: {},
          },
    );
  }
  status.conditions = podConditions(pod, status, t);
  return status;
}

function runningSince(pod: P, ctx: PodStepContext): number {
  if (ctx.startedAtMs !== undefined) return ctx.startedAtMs;
  const times = (pod.status?.containerStatuses ?? []).map((s) => Date.parse(s.state?.running?.startedAt ?? '')).filter(Number.isFinite);
  return times.length ? Math.min(...times) : ctx.now.getTime();
}

function finish(pod: P, ctx: PodStepContext): PodStep {
  const t = rfc3339(ctx.now);
  const code = exitCode(pod);
  const reason = code === 0 ? 'Completed' : 'Error';
  const restart = code !== 0 && pod.spec?.restartPolicy === 'OnFailure';
  const ready = readyDelayMs(pod, ctx.opts) <= 0;
  const containerStatuses = (pod.status?.containerStatuses ?? []).map((s): ContainerStatus => {
    const c = pod.spec?.containers?.find((x) => x.name === s.name);
    const terminated = { exitCode: code, reason, startedAt: s.state?.running?.startedAt ?? t, finishedAt: t, containerID: s.containerID };
    if (restart && c) return runningStatus(pod, c, t, ready, (s.restartCount ?? 0) + 1, { terminated });
    return { ...s, ready: false, started: false, state: { terminated } };
  });
  const status: PodStatus = { ...pod.status, containerStatuses, phase: restart ? 'Running' : code === 0 ? 'Succeeded' : 'Failed' };
  // A finished pod's sidecars are stopped too.
  if (!restart && status.initContainerStatuses)
    status.initContainerStatuses = status.initContainerStatuses.map((s) =>
      s.state?.running ? { ...s, ready: false, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: s.state.running.startedAt, finishedAt: t, containerID: s.containerID } } } : s,
    );
  status.conditions = podConditions(pod, status, t);
  return { status, started: restart, wakeAfterMs: restart ? Math.min(readyDelayMs(pod, ctx.opts) || Infinity, runMs(pod, ctx.opts)) : undefined };
}

/** One step of a pod bound to a simulated node (deletion is handled by the pool). */
export function stepPod(pod: P, ctx: PodStepContext): PodStep {
  const phase = pod.status?.phase;
  if (isTerminal(phase)) return {};
  const running = phase === 'Running' && (pod.status?.containerStatuses?.length ?? 0) > 0;
  if (!running) {
    if (!ctx.podIP) return { needsIP: true };
    const status = startStatus(pod, ctx);
    const next = [readyDelayMs(pod, ctx.opts), finishes(pod) ? runMs(pod, ctx.opts) : Infinity].filter((ms) => ms > 0 && ms < Infinity);
    return { status, started: true, wakeAfterMs: next.length ? Math.min(...next) : undefined };
  }
  const now = ctx.now.getTime();
  const since = runningSince(pod, ctx);
  if (finishes(pod)) {
    const due = since + runMs(pod, ctx.opts);
    if (now >= due) return finish(pod, ctx);
  }
  const readyAt = since + readyDelayMs(pod, ctx.opts);
  const allReady = (pod.status?.containerStatuses ?? []).every((s) => s.ready);
  const waits: number[] = [];
  if (finishes(pod)) waits.push(since + runMs(pod, ctx.opts) - now);
  if (!allReady && now < readyAt) waits.push(readyAt - now);
  if (!allReady && now >= readyAt) {
    const t = rfc3339(ctx.now);
    const mark = (s: ContainerStatus): ContainerStatus => (s.state?.running ? { ...s, ready: true } : s);
    const status: PodStatus = {
      ...pod.status,
      containerStatuses: pod.status?.containerStatuses?.map(mark),
      initContainerStatuses: pod.status?.initContainerStatuses?.map((s) => (pod.spec?.initContainers?.find((c) => c.name === s.name && isSidecar(c)) ? mark(s) : s)),
    };
    if (!status.initContainerStatuses) delete status.initContainerStatuses;
    status.conditions = podConditions(pod, status, t);
    return { status, wakeAfterMs: waits.length ? Math.min(...waits) : undefined };
  }
  return { wakeAfterMs: waits.length ? Math.max(1, Math.min(...waits)) : undefined };
}

/** Milliseconds until a pod marked for deletion is removed: min(grace period, stop delay) after the request. */
export function deletionDueInMs(pod: P, now: Date, opts: SimOptions, seenAtMs?: number): number {
  const ts = Date.parse(pod.metadata?.deletionTimestamp ?? '');
  if (!Number.isFinite(ts)) return 0;
  const graceMs = (pod.metadata?.deletionGracePeriodSeconds ?? 0) * 1000;
  // deletionTimestamp has whole seconds; when this process saw the request is finer.
  const requested = Math.max(ts - graceMs, Math.min(seenAtMs ?? -Infinity, ts));
  // Terminal pods have nothing left to stop.
  const stopMs = isTerminal(pod.status?.phase) ? 0 : Math.min(graceMs, opts.podStopDelayMs);
  return requested + stopMs - now.getTime();
}
