/**
 * @module The scheduler (upstream scheduler.go + eventhandlers.go): informers feed it —
 * unassigned pods for this scheduler's name go to the queue, assigned pods and nodes update
 * the snapshot incrementally (confirming assumed pods when their binding is seen), and
 * events that can make pending pods fit move them out of the unschedulable pool. `run`
 * loops schedule-one until the signal aborts.
 */
import type { Namespace } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { InformerFactory } from '../client/cache/factory.ts';
import type { Informer } from '../client/cache/informer.ts';
import type { EventRecorder } from '../client/events/recorder.ts';
import { refs } from '../client/refs.ts';
import type { Client } from '../client/rest.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { ActionType, nodeUpdateActions, wildcardEvent } from './framework/cluster-event.ts';
import type { Framework } from './framework/framework.ts';
import type { Handle } from './framework/handle.ts';
import type { NodeObject } from './framework/node-info.ts';
import { Nominator } from './framework/nominator.ts';
import { PodInfo, type PodObject } from './framework/pod-info.ts';
import { Snapshot } from './framework/snapshot.ts';
import { defaultProfile } from './plugins/registry.ts';
import { SchedulingQueue, type QueueOptions } from './queue/scheduling-queue.ts';
import type { SchedulerMetrics } from './metrics.ts';
import { ScheduleOne } from './schedule-one.ts';

export interface SchedulerOptions {
  schedulerName?: string;
  queue?: QueueOptions;
  /** Binds allowed in flight at once (upstream binds in a goroutine per pod). */
  maxBindsInFlight?: number;
  percentageOfNodesToScore?: number;
  disabledPlugins?: readonly string[];
  /** Where to report kube-scheduler's metrics; none: not measured. */
  metrics?: SchedulerMetrics;
}

export interface SchedulerDeps {
  client: Client;
  informers: InformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
}

type PC = PriorityClass & KubeObject;
type PDB = PodDisruptionBudget & KubeObject;

/** Longest run of scheduling cycles before the loop lets timers and I/O in. */
const timeSliceMs = 20;

const isTerminal = (p: PodObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export class Scheduler {
  readonly snapshot = new Snapshot();
  readonly nominator = new Nominator();
  readonly queue: SchedulingQueue;
  readonly framework: Framework;
  readonly cycle: ScheduleOne;
  private readonly schedulerName: string;
  private readonly pods: Informer<PodObject>;
  private readonly nodes: Informer<NodeObject>;
  private readonly priorityClasses: Informer<PC>;
  private readonly pdbs: Informer<PDB>;

  constructor(
    private readonly deps: SchedulerDeps,
    opts: SchedulerOptions = {},
  ) {
    this.schedulerName = opts.schedulerName ?? 'default-scheduler';
    const f = deps.informers;
    this.pods = f.informerFor<PodObject>(refs.pods);
    this.nodes = f.informerFor<NodeObject>(refs.nodes);
    this.priorityClasses = f.informerFor<PC>(refs.priorityclasses);
    this.pdbs = f.informerFor<PDB>(refs.poddisruptionbudgets);
    const namespaces = f.informerFor<Namespace & KubeObject>(refs.namespaces);
    const handle: Handle = {
      client: deps.client,
      recorder: deps.recorder,
      logger: deps.logger,
      snapshot: this.snapshot,
      nominator: this.nominator,
      requeue: (keys) => {
        const set = new Set(keys);
        this.queue.moveAllToActiveOrBackoff(wildcardEvent('ForceActivate'), (q) => set.has(q.podInfo.key));
      },
      framework: undefined,
      getPod: (ns, name) => this.pods.store.getByName(ns, name),
      pdbs: () => this.pdbs.store.list(),
      informers: f,
    };
    this.framework = defaultProfile(handle, this.schedulerName, opts.disabledPlugins);
    this.queue = new SchedulingQueue((a, b) => this.framework.queueSort.less(a, b), deps.clock, opts.queue);
    this.cycle = new ScheduleOne({
      framework: this.framework,
      snapshot: this.snapshot,
      nominator: this.nominator,
      queue: this.queue,
      client: deps.client,
      recorder: deps.recorder,
      logger: deps.logger,
      clock: deps.clock,
      getPod: handle.getPod,
      podInfoFor: (p) => this.podInfo(p),
      maxBindsInFlight: opts.maxBindsInFlight ?? 256,
      percentageOfNodesToScore: opts.percentageOfNodesToScore,
      metrics: opts.metrics,
    });
    opts.metrics?.watchQueue(this.schedulerName, () => this.queue.sizes());

    this.nodes.addEventHandler({
      onAdd: (n) => {
        this.snapshot.upsertNode(n);
        this.queue.moveAllToActiveOrBackoff({ resource: 'Node', action: ActionType.Add, obj: n, label: 'NodeAdd' });
      },
      onUpdate: (old, n) => {
        this.snapshot.upsertNode(n);
        const action = nodeUpdateActions(old, n);
        if (action) this.queue.moveAllToActiveOrBackoff({ resource: 'Node', action, old, obj: n, label: 'NodeUpdate' });
      },
      onDelete: (n) => {
        this.snapshot.removeNode(n.metadata?.name ?? '');
        this.queue.moveAllToActiveOrBackoff({ resource: 'Node', action: ActionType.Delete, old: n, label: 'NodeDelete' });
      },
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podSeen(p),
      onUpdate: (old, p) => this.podSeen(p, old),
      onDelete: (p) => this.podGone(p),
    });
    namespaces.addEventHandler({
      onAdd: (ns) => this.snapshot.setNamespace(ns.metadata?.name ?? '', ns.metadata?.labels ?? {}),
      onUpdate: (_o, ns) => this.snapshot.setNamespace(ns.metadata?.name ?? '', ns.metadata?.labels ?? {}),
      onDelete: (ns) => this.snapshot.setNamespace(ns.metadata?.name ?? '', undefined),
    });
    this.priorityClasses.addEventHandler({ onAdd: () => this.queue.moveAllToActiveOrBackoff() });
  }

  /** spec.priority when admission set it; else the PriorityClass (or the global default). */
  priorityOf(pod: PodObject): number {
    if (typeof pod.spec?.priority === 'number') return pod.spec.priority;
    const name = pod.spec?.priorityClassName;
    if (name) return this.priorityClasses.store.getByName('', name)?.value ?? 0;
    for (const pc of this.priorityClasses.store.list()) if (pc.globalDefault) return pc.value;
    return 0;
  }

  private podInfo(p: PodObject): PodInfo {
    return new PodInfo(p, this.priorityOf(p));
  }

  private podSeen(p: PodObject, old?: PodObject): void {
    const key = `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
    if (p.spec?.nodeName) {
      if (!old?.spec?.nodeName) {
        this.queue.delete(key);
        this.nominator.delete(key);
      }
      if (isTerminal(p)) {
        if (old && !isTerminal(old)) this.podRemoved(key, p);
        else this.snapshot.removePod(key);
        return;
      }
      const prior = this.snapshot.podInfoOf(key);
      const info = prior ? prior.withPod(p, this.priorityOf(p)) : this.podInfo(p);
      this.snapshot.addPod(info, p.spec.nodeName);
      // A new or relabelled pod can satisfy pods waiting on InterPodAffinity/spread.
      if (!old?.spec?.nodeName) this.queue.moveAllToActiveOrBackoff({ resource: 'Pod', action: ActionType.Add, obj: p, label: 'AssignedPodAdd' });
      else if (JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(p.metadata?.labels ?? {}))
        this.queue.moveAllToActiveOrBackoff({ resource: 'Pod', action: ActionType.UpdatePodLabel, old, obj: p, label: 'AssignedPodUpdate' });
      return;
    }
    if ((p.spec?.schedulerName ?? 'default-scheduler') !== this.schedulerName) return;
    if (p.metadata?.deletionTimestamp || isTerminal(p)) {
      this.queue.delete(key);
      this.nominator.delete(key);
      return;
    }
    const info = this.podInfo(p);
    if (old) {
      this.nominator.update(old.status?.nominatedNodeName, info);
      this.queue.update(info);
    } else {
      // A nomination made before a restart still holds the space (upstream AddNominatedPod).
      this.nominator.add(info, p.status?.nominatedNodeName ?? '');
      this.queue.add(info);
    }
  }

  private podGone(p: PodObject): void {
    const key = `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
    this.queue.delete(key);
    this.nominator.delete(key);
    if (this.snapshot.nodeOf(key) !== undefined) this.podRemoved(key, p);
  }

  private podRemoved(key: string, p: PodObject): void {
    this.snapshot.removePod(key);
    this.queue.moveAllToActiveOrBackoff({ resource: 'Pod', action: ActionType.Delete, old: p, label: 'AssignedPodDelete' });
  }

  /** Schedules until the signal aborts; informers must be started by the caller. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.deps.informers.waitForSync(signal))) return;
    const flushing = this.queue.run(signal);
    this.deps.logger.info('scheduler started', { nodes: this.snapshot.numNodes, pending: this.queue.sizes().active });
    let slice = performance.now();
    while (!signal.aborted) {
      try {
        if (!(await this.cycle.scheduleOne())) break;
      } catch (err) {
        this.deps.logger.error('scheduling cycle failed', { err: err as Error });
      }
      // With pods queued, pop() resolves at once and cycles would run back to back without
      // ever leaving this turn of the event loop: the Lease renewal timer, binding responses
      // and every socket would wait until the queue is empty. Yield every timeSliceMs.
      if (performance.now() - slice >= timeSliceMs) {
        await new Promise<void>((r) => setImmediate(r));
        slice = performance.now();
      }
    }
    this.queue.close();
    await flushing;
    await this.cycle.drain();
  }
}
