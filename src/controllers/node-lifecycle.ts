/**
 * @module The node lifecycle controller ("node-lifecycle-controller"): watches node Leases in
 * `kube-node-lease` and node status; a node whose kubelet has renewed neither within
 * nodeMonitorGracePeriod (`ctx.options.nodeMonitorGracePeriodMs`, 40 s; nodeStartupGracePeriod
 * for a node that never reported Ready) gets its conditions set to Unknown
 * (`NodeStatusUnknown`). Its taints follow its conditions (not-ready / unreachable, NoSchedule
 * and NoExecute; pressure and unschedulable NoSchedule) and its pods are marked Ready=False.
 * Each node requeues itself rather than a global monitor loop (upstream monitorNodeHealth).
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { refs } from '../client/refs.ts';
import { isConflict, isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext, type ReconcileResult } from './framework/controller.ts';
import { desiredTaints, readyCondition, sameTaints, unknownConditions } from './node-lifecycle/health.ts';
import { podNodeName, podsByNodeIndex } from './node-lifecycle/pods-by-node.ts';

export const controllerName = 'node-lifecycle-controller';
export const nodeLeaseNamespace = 'kube-node-lease';

type N = Node & KubeObject;
type P = Pod & KubeObject;
type L = Lease & KubeObject;

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** When this controller last saw the kubelet report, by its own clock (upstream probeTimestamp). */
interface Probe {
  renewTime: string;
  heartbeat: string;
  at: number;
}

export class NodeLifecycleController implements Controller {
  readonly name = controllerName;
  private readonly runner: QueueRunner;
  private readonly nodes: Informer<N>;
  private readonly leases: Informer<L>;
  private readonly pods: Informer<P>;
  private readonly probes = new Map<string, Probe>();
  private readonly gracePeriodMs: number;
  private readonly startupGracePeriodMs: number;
  private readonly monitorPeriodMs: number;

  constructor(private readonly ctx: ControllerContext) {
    const o = ctx.options ?? {};
    this.gracePeriodMs = Number(o.nodeMonitorGracePeriodMs ?? 40_000);
    this.startupGracePeriodMs = Number(o.nodeStartupGracePeriodMs ?? 60_000);
    this.monitorPeriodMs = Number(o.nodeMonitorPeriodMs ?? 5_000);
    this.runner = new QueueRunner(ctx, controllerName, (k) => this.reconcile(k));
    this.nodes = ctx.informers.informerFor<N>(refs.nodes);
    this.leases = ctx.informers.informerFor<L>(refs.leases, { namespace: nodeLeaseNamespace });
    this.pods = ctx.informers.informerFor<P>(refs.pods);
    this.pods.addIndex(podsByNodeIndex, podNodeName);
    const byName = (o: KubeObject) => this.runner.enqueue(o.metadata!.name!);
    this.nodes.addEventHandler({ onAdd: byName, onUpdate: (_o, n) => byName(n), onDelete: byName });
    this.leases.addEventHandler({ onAdd: byName, onUpdate: (_o, l) => byName(l) });
    // A pod landing on a node that is not ready must be marked too.
    this.pods.addEventHandler({
      onAdd: (p) => p.spec?.nodeName && this.runner.enqueue(p.spec.nodeName),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private observe(node: N, now: number): Probe {
    const name = node.metadata!.name!;
    const renewTime = this.leases.store.getByName(nodeLeaseNamespace, name)?.spec?.renewTime ?? '';
    const heartbeat = readyCondition(node)?.lastHeartbeatTime ?? '';
    const seen = this.probes.get(name);
    if (!seen) this.ctx.recorder.event(node, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
    if (seen && seen.renewTime === renewTime && seen.heartbeat === heartbeat) return seen;
    const probe = { renewTime, heartbeat, at: now };
    this.probes.set(name, probe);
    return probe;
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    let node = this.nodes.store.getByName(undefined, name);
    if (!node) {
      this.probes.delete(name);
      return;
    }
    const now = this.ctx.clock.now().getTime();
    const probe = this.observe(node, now);
    const wasReady = readyCondition(node)?.status;
    const grace = wasReady === undefined ? this.startupGracePeriodMs : this.gracePeriodMs;
    const left = probe.at + grace - now;
    const nodes = this.ctx.client.resource<N>(refs.nodes);
    if (left <= 0) {
      const conditions = unknownConditions(node, rfc3339(now));
      if (conditions) {
        node = await nodes.update({ ...node, status: { ...node.status, conditions } } as N, 'status');
        this.ctx.logger.info('node stopped posting status', { node: name });
        if (wasReady === 'True') this.ctx.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
    }
    const taints = desiredTaints(node, rfc3339(now));
    if (!sameTaints(taints, node.spec?.taints ?? [])) {
      try {
        node = await nodes.patch(name, 'merge', {
          metadata: { resourceVersion: node.metadata?.resourceVersion },
          spec: { taints: taints.length ? taints : null },
        });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    if (readyCondition(node)?.status !== 'True') await this.markPodsNotReady(name, now);
    return { requeueAfterMs: left > 0 ? Math.min(this.monitorPeriodMs, left + 10) : this.monitorPeriodMs };
  }

  /** Upstream MarkPodsNotReady: the node cannot vouch for them any more. */
  private async markPodsNotReady(nodeName: string, now: number): Promise<void> {
    const pods = this.ctx.client.resource<P>(refs.pods);
    for (const pod of this.pods.store.byIndex(podsByNodeIndex, nodeName)) {
      const conditions = pod.status?.conditions ?? [];
      const ready = conditions.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False') continue;
      const next = conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(now) } : c));
      try {
        await pods.update({ ...pod, status: { ...pod.status, conditions: next } } as P, 'status');
        this.ctx.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        // Gone, or changed since the cache saw it: the node's next periodic pass retries.
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
  }
}
