/**
 * @module One scheduling cycle (upstream schedule_one.go): pop a pod, run PreFilter and the
 * filters over an adaptive share of the nodes (starting where the last cycle stopped),
 * score the feasible ones, pick the best (ties broken at random), assume the pod onto the
 * node and reserve, then bind asynchronously — with a bound on binds in flight — so the
 * next cycle starts at once. Failures run PostFilter (preemption), set PodScheduled=False
 * with upstream's message, record FailedScheduling and requeue the pod.
 */
import type { EventRecorder } from '../client/events/recorder.ts';
import { refs } from '../client/refs.ts';
import type { Client } from '../client/rest.ts';
import type { Logger } from '../util/log.ts';
import type { Clock } from '../util/clock.ts';
import { ActionType, type ClusterEvent } from './framework/cluster-event.ts';
import { CycleState } from './framework/cycle-state.ts';
import type { AttemptResult, SchedulerMetrics } from './metrics.ts';
import { FitError, type Diagnosis } from './framework/fit-error.ts';
import type { Framework } from './framework/framework.ts';
import type { NodeInfo } from './framework/node-info.ts';
import type { Nominator } from './framework/nominator.ts';
import type { PodInfo, PodObject } from './framework/pod-info.ts';
import type { Snapshot } from './framework/snapshot.ts';
import { Code, errorStatus, type NodeToStatus, type Status } from './framework/types.ts';
import type { QueuedPodInfo, SchedulingQueue } from './queue/scheduling-queue.ts';

const minFeasibleNodesToFind = 100;
const minFeasibleNodesPercentageToFind = 5;

/** Upstream numFeasibleNodesToFind with the adaptive default percentage. */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let pct = percentageOfNodesToScore;
  if (pct <= 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < minFeasibleNodesPercentageToFind) pct = minFeasibleNodesPercentageToFind;
  }
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < minFeasibleNodesToFind ? minFeasibleNodesToFind : n;
}

export const errNoNodesAvailable = 'no nodes available to schedule pods';

export interface ScheduleOneDeps {
  framework: Framework;
  snapshot: Snapshot;
  nominator: Nominator;
  queue: SchedulingQueue;
  client: Client;
  recorder: EventRecorder;
  logger: Logger;
  clock: Clock;
  getPod(namespace: string, name: string): PodObject | undefined;
  podInfoFor(pod: PodObject): PodInfo;
  maxBindsInFlight: number;
  percentageOfNodesToScore?: number;
  metrics?: SchedulerMetrics;
}

export class ScheduleOne {
  private nextStartNodeIndex = 0;
  private readonly feasibleBuf: NodeInfo[] = [];
  private bindsInFlight = 0;
  private readonly binds = new Set<Promise<void>>();
  private slotFree: (() => void) | undefined;
  /** Counters for benchmarks and logs. */
  readonly stats = { scheduled: 0, failed: 0, bindErrors: 0 };
  /** When each pod's current attempt began (performance.now), for the attempt-duration metric. */
  private readonly attemptStart = new WeakMap<QueuedPodInfo, number>();

  constructor(private readonly d: ScheduleOneDeps) {}

  /** Schedules one pod; false once the queue is closed. */
  async scheduleOne(): Promise<boolean> {
    const q = await this.d.queue.pop();
    if (!q) return false;
    if (this.d.metrics) this.attemptStart.set(q, performance.now());
    const cycle = this.d.queue.cycle;
    const pod = q.podInfo;
    const latest = this.d.getPod(pod.namespace, pod.name);
    if (!latest || latest.spec?.nodeName || latest.metadata?.deletionTimestamp || this.d.snapshot.isAssumed(pod.key)) {
      this.d.queue.done(pod.key);
      return true;
    }
    const state = new CycleState();
    let host: string;
    try {
      host = this.schedulePod(state, pod);
    } catch (err) {
      await this.onScheduleFailure(state, q, cycle, err);
      return true;
    }
    const fw = this.d.framework;
    this.d.snapshot.assume(pod, host);
    // Placed: its nomination no longer needs to hold space (upstream DeleteNominatedPodIfExists).
    this.d.nominator.delete(pod.key);
    let rejected: Status | null;
    try {
      rejected = fw.runReserve(state, pod, host) ?? fw.runPermit(state, pod, host);
    } catch (err) {
      // A plugin that throws must not lose the pod (popped, in no pool, never retried).
      rejected = errorStatus('', err);
    }
    if (rejected) {
      fw.runUnreserve(state, pod, host);
      this.d.snapshot.forget(pod.key);
      this.d.queue.moveAllToActiveOrBackoff(forgotten(pod));
      // Queueing hints ask the plugin that rejected it this time.
      q.unschedulablePlugins = new Set(rejected.plugin ? [rejected.plugin] : []);
      await this.handleFailure(q, cycle, rejected.message, rejected.code !== Code.Error);
      return true;
    }
    this.d.queue.done(pod.key);
    while (this.bindsInFlight >= this.d.maxBindsInFlight) await new Promise<void>((r) => (this.slotFree = r));
    this.bindsInFlight++;
    const p = this.bindingCycle(state, q, host).finally(() => {
      this.bindsInFlight--;
      this.binds.delete(p);
      const w = this.slotFree;
      this.slotFree = undefined;
      w?.();
    });
    this.binds.add(p);
    return true;
  }

  /** Resolves when every bind started so far has finished. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.binds]);
  }

  /** Filter and score; returns the chosen node or throws FitError. */
  schedulePod(state: CycleState, pod: PodInfo): string {
    const { framework: fw, snapshot } = this.d;
    const n = snapshot.numNodes;
    if (n === 0) throw new Error(errNoNodesAvailable);
    const diagnosis: Diagnosis = { nodeToStatus: new Map(), unschedulablePlugins: new Set() };
    const pre = fw.runPreFilter(state, pod, snapshot);
    if (pre.status) {
      if (!pre.status.isRejection()) throw new Error(pre.status.message);
      diagnosis.preFilterMsg = pre.status.message;
      diagnosis.unschedulablePlugins.add(pre.status.plugin);
      for (const node of snapshot.nodes) diagnosis.nodeToStatus.set(node.name, pre.status);
      throw new FitError(n, diagnosis);
    }
    const nominated = this.evaluateNominatedNode(state, pod, pre.nodeNames);
    if (nominated) return nominated.name;
    const feasible = this.findFeasible(state, pod, pre.nodeNames, diagnosis.nodeToStatus, diagnosis.unschedulablePlugins);
    if (feasible.length === 0) throw new FitError(n, diagnosis);
    if (feasible.length === 1) return feasible[0]!.name;
    const scores = fw.runScore(state, pod, feasible);
    return selectHost(feasible, scores);
  }

  /**
   * Upstream evaluateNominatedNode: a pod that preemption nominated tries that node first and
   * takes it when it fits, without searching (and scoring) the others.
   */
  private evaluateNominatedNode(state: CycleState, pod: PodInfo, only: Set<string> | undefined): NodeInfo | undefined {
    const name = pod.pod.status?.nominatedNodeName || (this.d.nominator.empty ? undefined : this.d.nominator.nominatedNode(pod.key));
    if (!name || (only && !only.has(name))) return undefined;
    const node = this.d.snapshot.get(name);
    if (!node) return undefined;
    const fw = this.d.framework;
    return fw.runFiltersWithNominatedPods(fw.activeFilters(state), state, pod, node, this.d.nominator) === null ? node : undefined;
  }

  private findFeasible(state: CycleState, pod: PodInfo, only: Set<string> | undefined, statuses: NodeToStatus, plugins: Set<string>): NodeInfo[] {
    const fw = this.d.framework;
    const nodes = this.d.snapshot.nodes;
    const n = nodes.length;
    const want = numFeasibleNodesToFind(only ? only.size : n, this.d.percentageOfNodesToScore);
    const filters = fw.activeFilters(state);
    // No nominated pods anywhere (the usual case): skip that check for each of the nodes.
    const nominator = this.d.nominator.empty ? undefined : this.d.nominator;
    // One array serves every cycle (it grows to `want` once): scoring reads it before the
    // next cycle starts, and nothing keeps it.
    const feasible = this.feasibleBuf;
    feasible.length = 0;
    const start = this.nextStartNodeIndex % n;
    let i = 0;
    for (; i < n && feasible.length < want; i++) {
      const j = start + i;
      const node = nodes[j < n ? j : j - n]!;
      if (only && !only.has(node.name)) continue;
      const s = nominator ? fw.runFiltersWithNominatedPods(filters, state, pod, node, nominator) : fw.runFilters(filters, state, pod, node);
      if (s === null) feasible.push(node);
      else {
        if (s.code === Code.Error) throw new Error(s.message);
        statuses.set(node.name, s);
        plugins.add(s.plugin);
      }
    }
    this.nextStartNodeIndex = (start + i) % n;
    return feasible;
  }

  private async onScheduleFailure(state: CycleState, q: QueuedPodInfo, cycle: number, err: unknown): Promise<void> {
    if (!(err instanceof FitError)) {
      this.d.logger.warn('scheduling error', { pod: q.podInfo.key, err: err as Error });
      await this.handleFailure(q, cycle, (err as Error).message, (err as Error).message === errNoNodesAvailable);
      return;
    }
    const fw = this.d.framework;
    let nominated: string | undefined;
    if (fw.postFilter.length) {
      this.d.metrics?.preemptionAttempt();
      try {
        const r = await fw.runPostFilter(state, q.podInfo, err.diagnosis.nodeToStatus);
        if (r.status) err.diagnosis.postFilterMsg = r.status.message;
        nominated = r.nominatedNodeName;
      } catch (e) {
        // Preemption failing is no reason to drop the pod: it is requeued as unschedulable.
        this.d.logger.warn('preemption failed', { pod: q.podInfo.key, err: e as Error });
      }
    }
    q.unschedulablePlugins = err.diagnosis.unschedulablePlugins;
    await this.handleFailure(q, cycle, err.fitMessage(), true, nominated);
  }

  /** Records the failure on the pod (event, PodScheduled=False, nomination) and requeues it. */
  private async handleFailure(q: QueuedPodInfo, cycle: number, message: string, unschedulable: boolean, nominatedNodeName?: string): Promise<void> {
    this.stats.failed++;
    this.recordAttempt(q, unschedulable ? 'unschedulable' : 'error');
    const pod = q.podInfo;
    const latest = this.d.getPod(pod.namespace, pod.name);
    if (!latest || latest.spec?.nodeName) {
      this.d.queue.done(pod.key);
      return;
    }
    const changed = latest.metadata?.resourceVersion !== pod.pod.metadata?.resourceVersion;
    if (changed) q.podInfo = this.d.podInfoFor(latest);
    // PostFilter's verdict: a node to hold space on, '' to drop a stale nomination.
    if (nominatedNodeName !== undefined) this.d.nominator.add(q.podInfo, nominatedNodeName);
    this.d.queue.addUnschedulable(q, cycle, { error: !unschedulable, changed });
    this.d.recorder.event(latest, 'Warning', 'FailedScheduling', message);
    await this.updateStatus(latest, unschedulable ? 'Unschedulable' : 'SchedulerError', message, nominatedNodeName);
  }

  private async updateStatus(pod: PodObject, reason: string, message: string, nominatedNodeName: string | undefined): Promise<void> {
    const cur = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const nominatedChanged = nominatedNodeName !== undefined && nominatedNodeName !== (pod.status?.nominatedNodeName ?? '');
    if (cur && cur.status === 'False' && cur.reason === reason && cur.message === message && !nominatedChanged) return;
    const now = this.d.clock.now().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition = {
      type: 'PodScheduled',
      status: 'False',
      reason,
      message,
      lastProbeTime: null,
      lastTransitionTime: cur?.status === 'False' ? cur.lastTransitionTime : now,
    };
    const status: Record<string, unknown> = { conditions: [condition] };
    if (nominatedChanged) status.nominatedNodeName = nominatedNodeName || null;
    try {
      await this.d.client.resource<PodObject>(refs.pods).patch(pod.metadata!.name!, 'strategic', { status }, { namespace: pod.metadata?.namespace, subresource: 'status' });
    } catch (err) {
      this.d.logger.debug('could not update pod status', { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, err: err as Error });
    }
  }

  private recordAttempt(q: QueuedPodInfo, result: AttemptResult): void {
    const started = this.attemptStart.get(q);
    if (!this.d.metrics || started === undefined) return;
    this.attemptStart.delete(q);
    this.d.metrics.attempt(result, this.d.framework.schedulerName, started, performance.now());
  }

  private async bindingCycle(state: CycleState, q: QueuedPodInfo, host: string): Promise<void> {
    const fw = this.d.framework;
    const pod = q.podInfo;
    const status = await fw.runPreBindAndBind(state, pod, host).catch((err: unknown) => errorStatus('', err));
    if (status === null) {
      this.stats.scheduled++;
      this.recordAttempt(q, 'scheduled');
      this.d.metrics?.podScheduled(q.attempts, q.initialAttemptTimestamp, this.d.clock.now().getTime());
      this.d.recorder.event(pod.pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.namespace}/${pod.name} to ${host}`);
      return;
    }
    this.stats.bindErrors++;
    fw.runUnreserve(state, pod, host);
    this.d.snapshot.forget(pod.key);
    // The space the pod held is free again for others.
    this.d.queue.moveAllToActiveOrBackoff(forgotten(pod));
    await this.handleFailure(q, this.d.queue.cycle, `Binding rejected: ${status.message}`, false);
  }
}

/** Forgetting an assumed pod frees its space as a delete would (upstream sends AssignedPodDelete). */
const forgotten = (pod: PodInfo): ClusterEvent => ({ resource: 'Pod', action: ActionType.Delete, old: pod.pod, label: 'AssignedPodDelete' });

/** The highest total; ties are broken uniformly at random (reservoir sampling, as upstream). */
export function selectHost(nodes: readonly NodeInfo[], scores: Float64Array): string {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    const s = scores[i]!;
    if (s > scores[best]!) {
      best = i;
      ties = 1;
    } else if (s === scores[best]!) {
      ties++;
      if (Math.random() * ties < 1) best = i;
    }
  }
  return nodes[best]!.name;
}
