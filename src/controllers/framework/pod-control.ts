/**
 * @module Pods as the workload controllers see them (upstream's controller_utils.go): a pod
 * built from a template with a controllerRef, the active-pod filter, readiness/availability,
 * the ranking that picks the least valuable pods to delete first, and slow-start batching of
 * creations, and claiming (adopt/release) by controllerRef. Shared by every controller that
 * owns pods (and, for claiming, by the Deployment controller for its ReplicaSets).
 */
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceClient } from '../../client/rest.ts';
import type { LabelRequirements } from '../../machinery/labels.ts';
import { isNotFound } from '../../machinery/status.ts';
import { controllerOf, newControllerRef } from './owner.ts';

export type PodObject = Pod & KubeObject;

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/**
 * A pod from a template (upstream GetPodFromTemplate): the template's labels, annotations,
 * finalizers and spec, `generateName`, and a controllerRef to owner.
 */
export function podFromTemplate(
  template: PodTemplateSpec | undefined,
  owner: KubeObject,
  gvk: { apiVersion: string; kind: string },
  generateName: string,
): PodObject {
  const t = clone(template) ?? {};
  const meta = t.metadata ?? {};
  const pod: PodObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName,
      namespace: owner.metadata?.namespace,
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
      ...(meta.finalizers ? { finalizers: meta.finalizers } : {}),
      ownerReferences: [newControllerRef(owner, gvk)],
    },
    spec: t.spec ?? { containers: [] },
  };
  return pod;
}

/** A pod that still counts: not Succeeded/Failed and not being deleted (FilterActivePods). */
export function isPodActive(p: PodObject): boolean {
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !p.metadata?.deletionTimestamp;
}

function readyCondition(p: PodObject) {
  return p.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(p: PodObject): boolean {
  return readyCondition(p)?.status === 'True';
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(p: PodObject, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(p)) return false;
  if (minReadySeconds === 0) return true;
  const since = readyCondition(p)?.lastTransitionTime;
  if (!since) return false;
  return Date.parse(since) + minReadySeconds * 1000 <= now.getTime();
}

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function time(s: string | undefined): number {
  return s ? Date.parse(s) : 0;
}

/** t1 after t2, a zero time counting as after any other (afterOrZero). */
function afterOrZero(t1: number, t2: number): boolean {
  if (t1 === 0 || t2 === 0) return t1 === 0;
  return t1 > t2;
}

/** Base-2 logarithmic buckets of the ages (in ns, as upstream) of two times. */
function logRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number) => {
    const d = (now - t) * 1e6;
    return d > 0 ? Math.floor(Math.log2(d)) : -1;
  };
  return rank(t1) - rank(t2);
}

function maxRestarts(p: PodObject): number {
  let n = 0;
  for (const c of p.status?.containerStatuses ?? []) n = Math.max(n, c.restartCount ?? 0);
  return n;
}

function deletionCost(p: PodObject): number {
  const v = Number(p.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost']);
  return Number.isInteger(v) ? v : 0;
}

function readyTime(p: PodObject): number {
  return isPodReady(p) ? time(readyCondition(p)?.lastTransitionTime) : 0;
}

/**
 * Upstream ActivePodsWithRanks.Less: negative when a is less valuable than b (deleted first).
 * rank is the number of related pods sharing the pod's node (doubled-up pods go first).
 */
export function comparePodsForDeletion(a: PodObject, b: PodObject, rankA: number, rankB: number, now: Date): number {
  const less = (x: boolean) => (x ? -1 : 1);
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return less(na === '');
  const pa = phaseOrdinal[a.status?.phase ?? ''] ?? 0;
  const pb = phaseOrdinal[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return less(pa < pb);
  if (isPodReady(a) !== isPodReady(b)) return less(!isPodReady(a));
  if (deletionCost(a) !== deletionCost(b)) return less(deletionCost(a) < deletionCost(b));
  if (rankA !== rankB) return less(rankA > rankB);
  const nowMs = now.getTime();
  const byLogTime = (ta: number, tb: number): number => {
    if (ta === 0 || tb === 0) return less(afterOrZero(ta, tb));
    const d = logRankDiff(ta, tb, nowMs);
    if (d === 0) return (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '') ? -1 : (a.metadata?.uid ?? '') > (b.metadata?.uid ?? '') ? 1 : 0;
    return d < 0 ? -1 : 1;
  };
  if (isPodReady(a) && isPodReady(b)) {
    const ra = readyTime(a);
    const rb = readyTime(b);
    if (ra !== rb) return byLogTime(ra, rb);
  }
  if (maxRestarts(a) !== maxRestarts(b)) return less(maxRestarts(a) > maxRestarts(b));
  const ca = time(a.metadata?.creationTimestamp);
  const cb = time(b.metadata?.creationTimestamp);
  if (ca !== cb) return byLogTime(ca, cb);
  return 0;
}

/**
 * The `count` pods to delete first (getPodsToDelete): pods ranked by how many related pods
 * (e.g. of the same Deployment) share their node, then by comparePodsForDeletion.
 */
export function podsToDelete(pods: readonly PodObject[], related: readonly PodObject[], count: number, now: Date): PodObject[] {
  if (count >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const n = p.spec?.nodeName ?? '';
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked = pods.map((p) => ({ p, rank: onNode.get(p.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((x, y) => comparePodsForDeletion(x.p, y.p, x.rank, y.rank, now));
  return ranked.slice(0, count).map((r) => r.p);
}

/**
 * Runs fn `count` times in batches of 1, 2, 4, … (slowStartBatch), stopping after the first
 * batch with a failure so a broken template does not flood the API. Returns how many
 * succeeded and the first error.
 */
export async function slowStartBatch(count: number, initialBatch: number, fn: () => Promise<void>): Promise<{ ok: number; err?: unknown }> {
  let remaining = count;
  let ok = 0;
  for (let batch = Math.min(remaining, initialBatch); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, fn));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    ok += batch - failed.length;
    if (failed.length) return { ok, err: failed[0]!.reason };
    remaining -= batch;
  }
  return { ok };
}

/** Index name for objects by their controllerRef's uid. */
export const controllerUIDIndex = 'controllerUID';
export const byControllerUID = (o: KubeObject): string[] => {
  const uid = controllerOf(o)?.uid;
  return uid ? [uid] : [];
};

/**
 * Index name for objects by their controllerRef's uid, or for orphans by an orphan key per
 * namespace (upstream's PodControllerUIDIndex with OrphanPodIndexKey): the only objects an
 * owner's claim can keep, release or adopt, without scanning its whole namespace.
 */
export const controllerUIDOrOrphanIndex = 'controllerUIDOrOrphan';
const orphanKey = (namespace: string | undefined) => `\0orphan/${namespace ?? ''}`;
export const byControllerUIDOrOrphan = (o: KubeObject): string[] => [controllerOf(o)?.uid ?? orphanKey(o.metadata?.namespace)];

/** What owner may claim: the objects it controls in its namespace, then that namespace's orphans. */
export function claimCandidates<O extends KubeObject>(store: { byIndex(index: string, value: string): O[] }, owner: KubeObject): O[] {
  const ns = owner.metadata?.namespace ?? '';
  const owned = store.byIndex(controllerUIDOrOrphanIndex, owner.metadata?.uid ?? '').filter((o) => (o.metadata?.namespace ?? '') === ns);
  return owned.concat(store.byIndex(controllerUIDOrOrphanIndex, orphanKey(ns)));
}

/**
 * Upstream's controller ref manager (ClaimPods / ClaimReplicaSets) for any kind: keeps the
 * candidates owner controls that still match, adopts matching orphans (after re-reading the
 * owner once, so a deleted or replaced owner adopts nothing), and releases owned objects that
 * stopped matching. Returns the objects owner now controls.
 */
export async function claimObjects<O extends KubeObject>(
  client: ResourceClient<O>,
  owner: KubeObject,
  gvk: { apiVersion: string; kind: string },
  selector: LabelRequirements,
  candidates: readonly O[],
  recheckOwner: () => Promise<KubeObject | undefined>,
): Promise<O[]> {
  const uid = owner.metadata?.uid ?? '';
  const ownerDeleting = !!owner.metadata?.deletionTimestamp;
  let canAdopt: Promise<boolean> | undefined;
  const claimed: O[] = [];
  const errors: unknown[] = [];
  const patch = async (o: O, ref: unknown): Promise<O | undefined> => {
    try {
      return await client.patch(o.metadata!.name!, 'strategic', { metadata: { ownerReferences: [ref], uid: o.metadata?.uid } }, { namespace: o.metadata?.namespace });
    } catch (err) {
      if (!isNotFound(err)) errors.push(err);
      return undefined;
    }
  };
  // Decided in one synchronous pass: only releases and adoptions need a promise (a sync touches
  // every owned object, so a promise per object would cost more than the claim itself).
  const writes: Promise<void>[] = [];
  for (const o of candidates) {
    const ref = controllerOf(o);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (ownerDeleting || selector.matches(o.metadata?.labels ?? {})) claimed.push(o);
      else writes.push(patch(o, { $patch: 'delete', uid }).then(() => undefined));
      continue;
    }
    if (ownerDeleting || o.metadata?.deletionTimestamp || !selector.matches(o.metadata?.labels ?? {})) continue;
    canAdopt ??= recheckOwner().then(
      (fresh) => !!fresh && fresh.metadata?.uid === uid && !fresh.metadata?.deletionTimestamp,
      () => false,
    );
    const adopting = canAdopt;
    writes.push(
      (async () => {
        if (!(await adopting)) return;
        const adopted = await patch(o, newControllerRef(owner, gvk));
        if (adopted) claimed.push(adopted);
      })(),
    );
  }
  if (writes.length) await Promise.all(writes);
  if (errors.length) throw errors[0];
  return claimed;
}
