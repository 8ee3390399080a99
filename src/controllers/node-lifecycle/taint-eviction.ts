/**
 * @module The taint eviction controller ("taint-eviction-controller", upstream
 * pkg/controller/tainteviction): a pod bound to a node with NoExecute taints it does not
 * tolerate is deleted at once; one that tolerates them for `tolerationSeconds` is deleted
 * when the shortest of those runs out, counted from when this controller first saw the pod
 * under the taints (as upstream's timed queue does). Before deleting it adds the
 * DisruptionTarget condition (reason DeletionByTaintManager). Keys are pod keys.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { Informer } from '../../client/cache/informer.ts';
import { keyOf, refs } from '../../client/refs.ts';
import { isNotFound } from '../../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.ts';
import { podNodeName, podsByNodeIndex } from './pods-by-node.ts';
import { evictionFor } from './tolerations.ts';

export const controllerName = 'taint-eviction-controller';

type N = Node & KubeObject;
type P = Pod & KubeObject;

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const noExecuteIds = (n: N) =>
  (n.spec?.taints ?? [])
    .filter((t) => t.effect === 'NoExecute')
    .map((t) => `${t.key}=${t.value ?? ''}`)
    .sort()
    .join(',');

export class TaintEvictionController implements Controller {
  readonly name = controllerName;
  private readonly runner: QueueRunner;
  private readonly nodes: Informer<N>;
  private readonly pods: Informer<P>;
  /** pod uid → when its eviction clock started. */
  private readonly since = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner(ctx, controllerName, (k) => this.reconcile(k));
    this.nodes = ctx.informers.informerFor<N>(refs.nodes);
    this.pods = ctx.informers.informerFor<P>(refs.pods);
    this.pods.addIndex(podsByNodeIndex, podNodeName);
    const podsOn = (n: N) => {
      for (const p of this.pods.store.byIndex(podsByNodeIndex, n.metadata!.name!)) this.runner.enqueue(keyOf(p));
    };
    this.nodes.addEventHandler({
      onAdd: podsOn,
      onUpdate: (old, cur) => {
        if (noExecuteIds(old) !== noExecuteIds(cur)) podsOn(cur);
      },
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.runner.enqueue(keyOf(p)),
      onUpdate: (_old, cur) => this.runner.enqueue(keyOf(cur)),
      onDelete: (p) => this.runner.enqueue(keyOf(p)),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const pod = this.pods.store.get(key);
    const uid = pod?.metadata?.uid ?? '';
    const node = pod?.spec?.nodeName ? this.nodes.store.getByName(undefined, pod.spec.nodeName) : undefined;
    const terminal = pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed';
    if (!pod || !node || pod.metadata?.deletionTimestamp || terminal) {
      if (uid) this.since.delete(uid);
      return;
    }
    const decision = evictionFor(node.spec?.taints ?? [], pod.spec?.tolerations ?? []);
    if (decision.type === 'never') {
      if (this.since.delete(uid)) this.ctx.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
      return;
    }
    const now = this.ctx.clock.now().getTime();
    if (decision.type === 'after') {
      const start = this.since.get(uid) ?? now;
      this.since.set(uid, start);
      const left = start + decision.ms - now;
      if (left > 0) return { requeueAfterMs: left };
    }
    await this.evict(pod, now);
    this.since.delete(uid);
  }

  private async evict(pod: P, now: number): Promise<void> {
    const key = keyOf(pod);
    const pods = this.ctx.client.resource<P>(refs.pods);
    this.ctx.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
    conditions.push({
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
      lastTransitionTime: rfc3339(now),
    });
    try {
      await pods.update({ ...pod, status: { ...pod.status, conditions } } as P, 'status');
      await pods.delete(pod.metadata!.name!, { namespace: pod.metadata?.namespace, preconditions: { uid: pod.metadata!.uid! } });
      this.ctx.logger.info('evicted pod for NoExecute taint', { pod: key, node: pod.spec?.nodeName });
    } catch (err) {
      // A conflict means the cache was stale: the retry re-reads it.
      if (!isNotFound(err)) throw err;
    }
  }
}
