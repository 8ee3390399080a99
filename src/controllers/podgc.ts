/**
 * @module The pod garbage collector ("pod-garbage-collector", upstream pkg/controller/podgc):
 * a periodic pass (`podGcPeriodMs`, 20 s) that force-deletes
 *  - terminated pods beyond `terminatedPodGCThreshold` (12500), oldest first;
 *  - orphaned pods, bound to a node that has been missing for a quarantine
 *    (`podGcQuarantineMs`, 40 s) and is confirmed gone by a live GET; they are marked Failed
 *    with a DisruptionTarget condition first;
 *  - terminating pods on a NotReady node tainted `node.kubernetes.io/out-of-service`;
 *  - terminating pods that were never scheduled.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs } from '../client/refs.ts';
import { isConflict, isNotFound } from '../machinery/status.ts';
import type { Controller, ControllerContext } from './framework/controller.ts';

export const controllerName = 'pod-garbage-collector';
export const outOfServiceTaint = 'node.kubernetes.io/out-of-service';

type N = Node & KubeObject;
type P = Pod & KubeObject;

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const isTerminated = (p: P): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Terminated pods to delete so that at most `threshold` remain: evicted first, then oldest. */
export function terminatedToDelete(pods: readonly P[], threshold: number): P[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter(isTerminated);
  const excess = terminated.length - threshold;
  if (excess <= 0) return [];
  const evicted = (p: P) => (p.status?.reason === 'Evicted' ? 0 : 1);
  return [...terminated]
    .sort((a, b) => evicted(a) - evicted(b) || (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''))
    .slice(0, excess);
}

export class PodGarbageCollector implements Controller {
  readonly name = controllerName;
  private readonly pods: Informer<P>;
  private readonly nodes: Informer<N>;
  private readonly periodMs: number;
  private readonly quarantineMs: number;
  private readonly threshold: number;
  /** node name → when a pod was first seen bound to it while it was missing. */
  private readonly missingSince = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    const o = ctx.options ?? {};
    this.periodMs = Number(o.podGcPeriodMs ?? 20_000);
    this.quarantineMs = Number(o.podGcQuarantineMs ?? 40_000);
    this.threshold = Number(o.terminatedPodGCThreshold ?? 12_500);
    this.pods = ctx.informers.informerFor<P>(refs.pods);
    this.nodes = ctx.informers.informerFor<N>(refs.nodes);
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    while (!signal.aborted) {
      try {
        await this.gc();
      } catch (err) {
        if (signal.aborted) return;
        this.ctx.logger.warn('pod gc pass failed', { err: err as Error });
      }
      await this.ctx.clock.sleep(this.periodMs, signal).catch(() => {});
    }
  }

  /** One pass; each part is independent of the others. */
  async gc(): Promise<void> {
    const pods = this.pods.store.list();
    for (const p of terminatedToDelete(pods, this.threshold)) await this.forceDelete(p, 'terminated pod beyond threshold');
    await this.gcOrphaned(pods);
    for (const p of pods) {
      if (!p.metadata?.deletionTimestamp) continue;
      if (!p.spec?.nodeName) {
        await this.forceDelete(p, 'unscheduled terminating pod');
        continue;
      }
      const node = this.nodes.store.getByName(undefined, p.spec.nodeName);
      const ready = node?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      if (node && ready !== 'True' && node.spec?.taints?.some((t) => t.key === outOfServiceTaint && t.effect === 'NoExecute'))
        await this.forceDelete(p, 'terminating pod on an out-of-service node');
    }
  }

  private async gcOrphaned(pods: readonly P[]): Promise<void> {
    const now = this.ctx.clock.now().getTime();
    const missing = new Set<string>();
    for (const p of pods) {
      const n = p.spec?.nodeName;
      if (n && !this.nodes.store.getByName(undefined, n)) missing.add(n);
    }
    for (const n of this.missingSince.keys()) if (!missing.has(n)) this.missingSince.delete(n);
    for (const n of missing) {
      const since = this.missingSince.get(n) ?? now;
      this.missingSince.set(n, since);
      if (now - since < this.quarantineMs) continue;
      // The cache may lag a node that was just created: only a live 404 counts.
      try {
        await this.ctx.client.resource<N>(refs.nodes).get(n);
        continue;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      for (const p of pods) if (p.spec?.nodeName === n) await this.markFailedAndDelete(p, now);
      this.missingSince.delete(n);
    }
  }

  private async markFailedAndDelete(p: P, now: number): Promise<void> {
    if (!isTerminated(p)) {
      const conditions = (p.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
      conditions.push({
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'DeletionByPodGC',
        message: 'PodGC: node no longer exists',
        lastTransitionTime: rfc3339(now),
      });
      try {
        await this.ctx.client.resource<P>(refs.pods).update({ ...p, status: { ...p.status, phase: 'Failed', conditions } } as P, 'status');
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
      }
    }
    await this.forceDelete(p, 'orphaned pod');
  }

  private async forceDelete(p: P, why: string): Promise<void> {
    this.ctx.logger.info('pod gc: deleting', { pod: keyOf(p), why });
    try {
      await this.ctx.client
        .resource<P>(refs.pods)
        .delete(p.metadata!.name!, { namespace: p.metadata?.namespace, gracePeriodSeconds: 0, preconditions: { uid: p.metadata!.uid! } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
