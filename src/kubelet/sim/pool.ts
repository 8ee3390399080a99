/**
 * @module A pool of simulated nodes in one process (KWOK-style). One shared pod informer for
 * the whole pool, indexed by `spec.nodeName`, and one node informer — never a watch per node —
 * feed a work queue of pod keys; a bounded set of workers moves each pod one step (start,
 * ready, finish, remove) and sets a timer for its next step. Node upkeep (status, Lease) runs
 * per node through a shared write limiter. `skiff server --sim-nodes` and `skiff agent
 * --runtime sim` both run a pool.
 */
import { setMaxListeners } from 'node:events';
import type { Client } from '../../client/rest.ts';
import { InformerFactory } from '../../client/cache/factory.ts';
import type { Informer } from '../../client/cache/informer.ts';
import { keyOf, refs } from '../../client/refs.ts';
import { WorkQueue } from '../../client/workqueue/queue.ts';
import { isConflict, isNotFound } from '../../machinery/status.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';
import { Limiter } from './limiter.ts';
import type { N } from './node-object.ts';
import { resolveSimOptions, type SimOptions } from './options.ts';
import { deletionDueInMs, stepPod, type P } from './pod-status.ts';
import { SimNode } from './sim-node.ts';
import { WakeTimers } from './timers.ts';
import { SimUsage } from './usage.ts';

export interface SimPoolDeps {
  /** Reads for the shared informers. */
  client: Client;
  /** Writes as one node (`system:node:<name>`); defaults to `client`. */
  clientFor?(node: string): Client;
  clock: Clock;
  logger: Logger;
}

/** What the pool watches: all sim nodes and all bound pods, or (an agent) one node's. */
export interface SimPoolScope {
  podFieldSelector: string;
  nodeLabelSelector?: string;
  nodeFieldSelector?: string;
}

export const poolScope: SimPoolScope = { podFieldSelector: 'spec.nodeName!=', nodeLabelSelector: 'type=sim' };
export const singleNodeScope = (name: string): SimPoolScope => ({ podFieldSelector: `spec.nodeName=${name}`, nodeFieldSelector: `metadata.name=${name}` });

const byNodeName = 'spec.nodeName';

export class SimNodePool {
  private opts: SimOptions;
  private readonly nodes = new Map<string, SimNode>();
  private readonly informers: InformerFactory;
  private readonly pods: Informer<P>;
  private readonly nodeInformer: Informer<N>;
  private readonly queue = new WorkQueue<string>({ baseMs: 50, maxMs: 30_000 });
  private readonly timers = new WakeTimers<string>((k) => this.queue.add(k));
  private readonly limiter: Limiter;
  /** Pod key → where it ran and its uid, to free its IP once it is gone. */
  private readonly placed = new Map<string, { node: string; uid: string }>();
  /** Pod uid → when this pool first saw its deletionTimestamp (finer than the timestamp's seconds). */
  private readonly deletingSince = new Map<string, number>();
  private signal: AbortSignal | undefined;
  private nextIndex = 0;
  /** Synthetic usage of the pool's nodes, for the metrics pipeline (in-process, no scrape). */
  readonly usage: SimUsage;

  constructor(
    private readonly deps: SimPoolDeps,
    options: Partial<SimOptions> = {},
    scope: SimPoolScope = poolScope,
  ) {
    this.opts = resolveSimOptions(options);
    this.limiter = new Limiter(this.opts.nodeWriteConcurrency);
    this.informers = new InformerFactory(deps.client, { clock: deps.clock, logger: deps.logger });
    this.pods = this.informers.informerFor<P>(refs.pods, { fieldSelector: scope.podFieldSelector });
    this.pods.addIndex(byNodeName, (p) => [p.spec?.nodeName ?? '']);
    this.nodeInformer = this.informers.informerFor<N>(refs.nodes, { labelSelector: scope.nodeLabelSelector, fieldSelector: scope.nodeFieldSelector });
    this.usage = new SimUsage({
      clock: deps.clock,
      options: () => this.opts,
      nodeNames: () => this.names,
      nodeStartTime: (name) => {
        const n = this.nodes.get(name);
        return n?.running && n.registered ? n.registeredAt : undefined;
      },
      runningPods: (name) => this.runningPods(name),
    });
    const onPod = (p: P) => {
      if (this.nodes.has(p.spec?.nodeName ?? '')) this.queue.add(keyOf(p));
    };
    this.pods.addEventHandler({ onAdd: onPod, onUpdate: (_o, n) => onPod(n), onDelete: onPod });
    // A podCIDR arriving (node IPAM) unblocks the node's pending pods.
    this.nodeInformer.addEventHandler({
      onUpdate: (o, n) => {
        if (o.spec?.podCIDR !== n.spec?.podCIDR) this.enqueueNode(n.metadata?.name ?? '');
      },
    });
  }

  get names(): string[] {
    return [...this.nodes.keys()];
  }

  get options(): SimOptions {
    return this.opts;
  }

  /** Changes tunables of every node at once (tests use short periods). */
  setOptions(partial: Partial<SimOptions>): void {
    this.opts = resolveSimOptions({ ...this.opts, ...partial, capacity: { ...this.opts.capacity, ...partial.capacity } });
    this.limiter.setLimit(this.opts.nodeWriteConcurrency);
    for (const n of this.nodes.values()) n.wake();
  }

  /** Adds a node (default name `sim-<i>`); it starts at once when the pool runs. */
  add(name?: string): string {
    let nodeName = name;
    while (nodeName === undefined || (name === undefined && this.nodes.has(nodeName))) nodeName = `sim-${this.nextIndex++}`;
    if (this.nodes.has(nodeName)) return nodeName;
    // `sim-<i>` names get the i-th fake addresses; other names hash to theirs.
    const index = /^sim-\d+$/.test(nodeName) ? Number(nodeName.slice(4)) : undefined;
    const node = new SimNode(nodeName, index, {
      client: this.deps.clientFor?.(nodeName) ?? this.deps.client,
      clock: this.deps.clock,
      logger: this.deps.logger,
      limiter: this.limiter,
      options: () => this.opts,
      observed: () => this.nodeInformer.store.get(nodeName),
      onRegistered: (n) => this.enqueueNode(n),
    });
    this.nodes.set(nodeName, node);
    if (this.signal) node.start(this.signal);
    return nodeName;
  }

  /** Stops a node's heartbeats and pod handling, as if it failed. */
  stop(name: string): void {
    this.nodeOrThrow(name).stop();
  }

  /** Resumes a stopped node: status and Lease at once, then its pods. */
  start(name: string): void {
    const node = this.nodeOrThrow(name);
    if (this.signal) node.start(this.signal);
    this.enqueueNode(name);
  }

  isRunning(name: string): boolean {
    return this.nodes.get(name)?.running ?? false;
  }

  async run(parent: AbortSignal): Promise<void> {
    // One listener on the caller's signal; the pool's own signal carries one per node and worker.
    const ctl = new AbortController();
    setMaxListeners(0, ctl.signal);
    if (parent.aborted) ctl.abort();
    else parent.addEventListener('abort', () => ctl.abort(), { once: true });
    const signal = ctl.signal;
    this.signal = signal;
    signal.addEventListener(
      'abort',
      () => {
        this.queue.shutDown();
        this.timers.clear();
      },
      { once: true },
    );
    this.informers.start(signal);
    for (const n of this.nodes.values()) n.start(signal);
    const synced = await this.informers.waitForSync(signal);
    const workers: Promise<void>[] = [];
    if (synced) for (let i = 0; i < this.opts.podWorkers; i++) workers.push(this.work(signal));
    await Promise.allSettled(workers);
    await Promise.allSettled([...this.nodes.values()].map((n) => n.done()));
    await this.informers.stopped();
  }

  /** Pods whose containers run on the node, and since when. */
  private runningPods(name: string): { pod: P; startedAt: number }[] {
    const node = this.nodes.get(name);
    if (!node || !this.pods.hasSynced) return [];
    const out: { pod: P; startedAt: number }[] = [];
    for (const pod of this.pods.store.byIndex(byNodeName, name)) {
      if (pod.status?.phase !== 'Running') continue;
      const running = pod.status.containerStatuses?.find((c) => c.state?.running?.startedAt)?.state?.running?.startedAt;
      const startedAt = node.startedAt.get(pod.metadata?.uid ?? '') ?? (Date.parse(running ?? pod.status.startTime ?? '') || this.deps.clock.now().getTime());
      out.push({ pod, startedAt });
    }
    return out;
  }

  private nodeOrThrow(name: string): SimNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no simulated node named ${name}`);
    return n;
  }

  private enqueueNode(name: string): void {
    if (!this.nodes.has(name) || !this.pods.hasSynced) return;
    for (const p of this.pods.store.byIndex(byNodeName, name)) this.queue.add(keyOf(p));
  }

  private async work(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get(signal);
      if (key === undefined) return;
      try {
        await this.reconcile(key);
        this.queue.forget(key);
      } catch (err) {
        if (!signal.aborted) {
          this.deps.logger.debug('simulated pod step failed; retrying', { pod: key, err: err as Error });
          this.queue.addRateLimited(key);
        }
      } finally {
        this.queue.done(key);
      }
    }
  }

  private forgetPod(key: string): void {
    const was = this.placed.get(key);
    if (!was) return;
    this.placed.delete(key);
    this.deletingSince.delete(was.uid);
    this.timers.cancel(key);
    const node = this.nodes.get(was.node);
    node?.podAllocator(Date.now())?.release(was.uid);
    node?.startedAt.delete(was.uid);
  }

  private async reconcile(key: string): Promise<void> {
    const pod = this.pods.store.get(key);
    const uid = pod?.metadata?.uid ?? '';
    const prev = this.placed.get(key);
    if (!pod || (prev && prev.uid !== uid)) this.forgetPod(key);
    if (!pod) return;
    if (!prev) this.placed.set(key, { node: pod.spec?.nodeName ?? '', uid });
    const node = this.nodes.get(pod.spec?.nodeName ?? '');
    // A stopped node touches nothing; start() re-enqueues its pods.
    if (!node || !node.running) return;
    if (!node.registered) return this.timers.after(key, 200);
    const client = this.deps.clientFor?.(node.name) ?? this.deps.client;
    const rc = client.resource<P>(refs.pods);
    const now = this.deps.clock.now();
    const ns = pod.metadata?.namespace;
    const name = pod.metadata?.name ?? '';

    if (pod.metadata?.deletionTimestamp) {
      if (!this.deletingSince.has(uid)) this.deletingSince.set(uid, now.getTime());
      const wait = deletionDueInMs(pod, now, this.opts, this.deletingSince.get(uid));
      if (wait > 0) return this.timers.after(key, wait);
      try {
        await rc.delete(name, { namespace: ns, gracePeriodSeconds: 0, preconditions: { uid } });
      } catch (err) {
        // Gone already, or a new pod of the same name: nothing of ours to remove.
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      this.forgetPod(key);
      return;
    }

    this.placed.set(key, { node: node.name, uid });
    const ipam = node.podAllocator(now.getTime());
    const phase = pod.status?.phase;
    const terminal = phase === 'Succeeded' || phase === 'Failed';
    // After a restart of the pool, addresses live pods hold are taken again first.
    if (!terminal && pod.status?.podIP && ipam && !pod.spec?.hostNetwork) ipam.reserve(pod.status.podIP, uid);
    let podIP: string | undefined;
    if (!terminal) podIP = pod.spec?.hostNetwork ? node.ip : (pod.status?.podIP ?? ipam?.allocate(uid));
    const step = stepPod(pod, { now, hostIP: node.ip, podIP, startedAtMs: node.startedAt.get(uid), opts: this.opts });
    if (step.needsIP) {
      if (ipam) this.deps.logger.warn('pod CIDR exhausted', { node: node.name, cidr: ipam.cidr, pod: key });
      return this.timers.after(key, ipam ? 5_000 : node.cidrWaitLeftMs(now.getTime()));
    }
    if (step.status) {
      await rc.update({ ...pod, status: step.status }, 'status');
      if (step.started) node.startedAt.set(uid, now.getTime());
    }
    if (step.status?.phase === 'Succeeded' || step.status?.phase === 'Failed') {
      // The sandbox is torn down: its IP may go to the next pod.
      if (!pod.spec?.hostNetwork) ipam?.release(uid);
      node.startedAt.delete(uid);
    }
    if (step.wakeAfterMs !== undefined) this.timers.after(key, step.wakeAfterMs);
  }
}
