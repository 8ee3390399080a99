/**
 * @module The disruption controller ("disruption-controller", upstream
 * pkg/controller/disruption/disruption.go): keeps each PodDisruptionBudget's status —
 * expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed, observedGeneration,
 * disruptedPods and the DisruptionAllowed condition (SufficientPods / InsufficientPods /
 * SyncFailed) — from minAvailable or maxUnavailable (integers or percentages) over the pods
 * its selector matches. Percentages and maxUnavailable scale with the pods' controllers
 * (their scale subresource; a Deployment's when the controller is its ReplicaSet).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Condition } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs } from '../client/refs.ts';
import { selectorFromLabelSelector } from '../machinery/labels.ts';
import { builtinResources } from '../machinery/resources.ts';
import { isNotFound } from '../machinery/status.ts';
import { controllerOf } from './framework/owner.ts';
import { QueueRunner, type Controller, type ControllerContext, type ReconcileResult } from './framework/controller.ts';
import { scaledValue } from '../machinery/int-or-percent.ts';

export const controllerName = 'disruption-controller';
/** How long an eviction's entry in status.disruptedPods holds a pod out of the count. */
export const deletionTimeoutMs = 2 * 60 * 1000;

type PDB = PodDisruptionBudget & KubeObject;
type P = Pod & KubeObject;

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');


export const isPodReady = (p: P): boolean => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** Entries of status.disruptedPods still in force, and when the earliest one lapses. */
export function liveDisruptedPods(pdb: PDB, pods: readonly P[], now: number): { map: Record<string, string>; recheckMs?: number } {
  const map: Record<string, string> = {};
  let recheckMs: number | undefined;
  const byName = new Map(pods.map((p) => [p.metadata!.name!, p]));
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const pod = byName.get(name);
    if (!pod || pod.metadata?.deletionTimestamp) continue;
    const expires = Date.parse(at) + deletionTimeoutMs;
    if (!(expires > now)) continue;
    map[name] = at;
    recheckMs = Math.min(recheckMs ?? Infinity, expires - now);
  }
  return { map, recheckMs };
}

/** The status fields counted from pods and the expected count (upstream trySync + updatePdbStatus). */
export function computeStatus(
  pdb: PDB,
  pods: readonly P[],
  expected: { count: number; desired: number },
  disrupted: Record<string, string>,
  now: number,
): PodDisruptionBudgetStatus {
  const currentHealthy = pods.filter((p) => !p.metadata?.deletionTimestamp && !(p.metadata!.name! in disrupted) && isPodReady(p)).length;
  let allowed = currentHealthy - expected.desired;
  if (expected.count <= 0 || allowed <= 0) allowed = 0;
  const generation = pdb.metadata?.generation ?? 0;
  const status: PodDisruptionBudgetStatus = {
    observedGeneration: generation,
    disruptedPods: Object.keys(disrupted).length ? disrupted : undefined,
    disruptionsAllowed: allowed,
    currentHealthy,
    desiredHealthy: expected.desired,
    expectedPods: expected.count,
  };
  const cond: Condition =
    allowed > 0
      ? { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', lastTransitionTime: rfc3339(now), observedGeneration: generation }
      : { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', lastTransitionTime: rfc3339(now), observedGeneration: generation };
  status.conditions = setCondition(pdb.status?.conditions ?? [], cond);
  return status;
}

/** apimachinery meta.SetStatusCondition: lastTransitionTime moves only when status does. */
export function setCondition(conditions: readonly Condition[], c: Condition): Condition[] {
  const old = conditions.find((x) => x.type === c.type);
  const merged = old && old.status === c.status ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
  return [...conditions.filter((x) => x.type !== c.type), merged];
}

export class DisruptionController implements Controller {
  readonly name = controllerName;
  private readonly runner: QueueRunner;
  private readonly pdbs: Informer<PDB>;
  private readonly pods: Informer<P>;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner(ctx, controllerName, (k) => this.reconcile(k));
    this.pdbs = ctx.informers.informerFor<PDB>(refs.poddisruptionbudgets);
    this.pods = ctx.informers.informerFor<P>(refs.pods);
    const enqueue = (p: PDB) => this.runner.enqueue(keyOf(p));
    this.pdbs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, p) => enqueue(p) });
    const podChanged = (pod: P) => {
      for (const pdb of this.pdbs.store.byIndex('namespace', pod.metadata?.namespace ?? ''))
        if (this.selects(pdb, pod)) enqueue(pdb);
    };
    this.pods.addEventHandler({
      onAdd: podChanged,
      onUpdate: (old, cur) => {
        podChanged(old);
        podChanged(cur);
      },
      onDelete: podChanged,
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  /** In policy/v1 an empty selector selects every pod in the namespace; a missing one none. */
  private selects(pdb: PDB, pod: P): boolean {
    if (!pdb.spec?.selector) return false;
    return selectorFromLabelSelector(pdb.spec.selector).matches(pod.metadata?.labels ?? {});
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const pdb = this.pdbs.store.get(key);
    if (!pdb) return;
    const pods = this.pods.store.byIndex('namespace', pdb.metadata?.namespace ?? '').filter((p) => this.selects(pdb, p));
    const now = this.ctx.clock.now().getTime();
    let status: PodDisruptionBudgetStatus;
    let recheckMs: number | undefined;
    try {
      const expected = await this.expectedPods(pdb, pods);
      const disrupted = liveDisruptedPods(pdb, pods, now);
      recheckMs = disrupted.recheckMs;
      status = computeStatus(pdb, pods, expected, disrupted.map, now);
    } catch (err) {
      // upstream failSafe: no disruptions while the budget cannot be computed.
      const message = (err as Error).message;
      this.ctx.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${message}`);
      const cond: Condition = { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message, lastTransitionTime: rfc3339(now), observedGeneration: pdb.metadata?.generation ?? 0 };
      await this.writeStatus(pdb, { ...pdb.status, disruptionsAllowed: 0, conditions: setCondition(pdb.status?.conditions ?? [], cond) } as PodDisruptionBudgetStatus);
      throw err;
    }
    await this.writeStatus(pdb, status);
    return recheckMs !== undefined ? { requeueAfterMs: recheckMs } : undefined;
  }

  private async writeStatus(pdb: PDB, status: PodDisruptionBudgetStatus): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(pdb.status ?? {})) return;
    try {
      await this.ctx.client.resource<PDB>(refs.poddisruptionbudgets).update({ ...pdb, status } as PDB, 'status');
    } catch (err) {
      // A conflict means the cache was stale: the retry works from the newer object.
      if (!isNotFound(err)) throw err;
    }
  }

  /** Upstream getExpectedPodCount: (expectedCount, desiredHealthy). */
  private async expectedPods(pdb: PDB, pods: readonly P[]): Promise<{ count: number; desired: number }> {
    const { minAvailable, maxUnavailable } = pdb.spec ?? {};
    if (maxUnavailable !== undefined) {
      const count = await this.expectedScale(pdb, pods);
      return { count, desired: Math.max(0, count - scaledValue(maxUnavailable, count, true)) };
    }
    if (typeof minAvailable === 'number') return { count: pods.length, desired: minAvailable };
    if (typeof minAvailable === 'string') {
      const count = await this.expectedScale(pdb, pods);
      return { count, desired: scaledValue(minAvailable, count, true) };
    }
    return { count: 0, desired: 0 };
  }

  /** The sum of the replicas of the controllers of these pods, each controller counted once. */
  private async expectedScale(pdb: PDB, pods: readonly P[]): Promise<number> {
    const seen = new Set<string>();
    let total = 0;
    let unmanaged = 0;
    for (const pod of pods) {
      let ref = controllerOf(pod);
      if (!ref) {
        unmanaged++;
        continue;
      }
      const ns = pod.metadata?.namespace ?? '';
      if (ref.kind === 'ReplicaSet' && ref.apiVersion.startsWith('apps/')) {
        // A Deployment's ReplicaSets share the Deployment's scale.
        const rs = await this.ctx.client.resource(refs.replicasets).get(ref.name, ns).catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        });
        const owner = rs && controllerOf(rs);
        if (owner?.kind === 'Deployment' && owner.apiVersion.startsWith('apps/')) ref = owner;
      }
      if (seen.has(ref.uid)) continue;
      seen.add(ref.uid);
      total += await this.replicasOf(ref.apiVersion, ref.kind, ref.name, ns, pod);
    }
    if (unmanaged > 0)
      this.ctx.recorder.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    return total;
  }

  private async replicasOf(apiVersion: string, kind: string, name: string, ns: string, pod: P): Promise<number> {
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    const info = builtinResources.find((r) => r.group === group && r.kind === kind && r.subresources?.some((s) => s.name === 'scale'));
    if (!info) throw new Error(`found no controllers for pod "${pod.metadata?.name}"`);
    const rc = this.ctx.client.resource(info);
    try {
      const scale = await this.ctx.client.call<{ spec?: { replicas?: number } }>('GET', rc.path(ns, name, 'scale'));
      return scale.spec?.replicas ?? 0;
    } catch (err) {
      if (isNotFound(err)) throw new Error(`found no controllers for pod "${pod.metadata?.name}"`);
      throw err;
    }
  }
}
