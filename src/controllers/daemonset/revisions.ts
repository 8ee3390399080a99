/**
 * @module A DaemonSet's ControllerRevisions (upstream daemon/update.go constructHistory,
 * snapshot, dedupCurHistories, cleanupHistory): find or create the revision of the current
 * template, keep its number the highest, and prune old revisions no live pod still uses.
 * DaemonSet revisions carry `controller-revision-hash` = controller.ComputeHash(template).
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { isAlreadyExists, isNotFound } from '../../machinery/status.ts';
import { refs } from '../../client/refs.ts';
import type { Client } from '../../client/rest.ts';
import { computeHash, controllerRevisionName, equalRevision, sortRevisions, templatePatch, type Revision } from '../framework/history.ts';
import { newControllerRef } from '../framework/owner.ts';
import { revisionHashLabel, type P } from './pods.ts';

type DS = DaemonSet & KubeObject;

export const daemonSetKind = { apiVersion: 'apps/v1', kind: 'DaemonSet' };

/** Whether a revision records the DaemonSet's current template (upstream Match). */
export function matchesTemplate(ds: DS, cr: Revision): boolean {
  return equalRevision(cr, { data: templatePatch(ds.spec?.template) } as unknown as Revision);
}

/** The revision the DaemonSet's current template would be stored as. */
export function snapshotOf(ds: DS, revision: number): Revision {
  const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(ds.metadata?.name ?? '', hash),
      namespace: ds.metadata?.namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [revisionHashLabel]: hash },
      annotations: ds.metadata?.annotations ? { ...ds.metadata.annotations } : undefined,
      ownerReferences: [newControllerRef(ds, daemonSetKind)],
    },
    data: templatePatch(ds.spec?.template) as Revision['data'],
    revision,
  };
}

export class HashCollisionError extends Error {}

/**
 * constructHistory: returns the current revision (its hash label names the pods' hash) and
 * the old ones. A name taken by other data bumps `status.collisionCount` and fails this pass.
 */
export async function constructHistory(client: Client, ds: DS, owned: readonly Revision[]): Promise<{ cur: Revision; old: Revision[] }> {
  const crs = client.resource<Revision>(refs.controllerrevisions);
  const current: Revision[] = [];
  const old: Revision[] = [];
  for (let cr of owned) {
    if (!cr.metadata?.labels?.[revisionHashLabel]) {
      // We use the name instead of a new hash so a collision can never strike here.
      cr = await crs.update({ ...cr, metadata: { ...cr.metadata, labels: { ...(cr.metadata?.labels ?? {}), [revisionHashLabel]: cr.metadata!.name! } } });
    }
    (matchesTemplate(ds, cr) ? current : old).push(cr);
  }
  const next = old.reduce((m, r) => Math.max(m, r.revision), 0) + 1;
  if (current.length === 0) return { cur: await snapshot(client, ds, next), old };
  // Duplicates of the current revision: keep the newest, delete the rest.
  const sorted = sortRevisions(current);
  let cur = sorted[sorted.length - 1]!;
  for (const dup of sorted.slice(0, -1)) await crs.delete(dup.metadata!.name!, { namespace: dup.metadata?.namespace }).catch((e: unknown) => {
    if (!isNotFound(e)) throw e;
  });
  if (cur.revision < next) cur = await crs.update({ ...cur, revision: next });
  return { cur, old };
}

async function snapshot(client: Client, ds: DS, revision: number): Promise<Revision> {
  const crs = client.resource<Revision>(refs.controllerrevisions);
  const want = snapshotOf(ds, revision);
  try {
    return await crs.create(want, ds.metadata?.namespace);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const existing = await crs.get(want.metadata!.name!, ds.metadata?.namespace);
    if (matchesTemplate(ds, existing) && existing.metadata?.ownerReferences?.some((o) => o.uid === ds.metadata?.uid)) return existing;
    // A hash collision: the next pass hashes with a higher collision count.
    const dss = client.resource<DS>(refs.daemonsets);
    const fresh = await dss.get(ds.metadata!.name!, ds.metadata?.namespace);
    await dss.update({ ...fresh, status: { ...(fresh.status ?? {}), collisionCount: (fresh.status?.collisionCount ?? 0) + 1 } } as DS, 'status');
    throw new HashCollisionError(`found a hash collision for DaemonSet ${JSON.stringify(ds.metadata?.name)} - bumping collisionCount`);
  }
}

/** cleanupHistory: keep revisionHistoryLimit old revisions, never one a live pod is labelled with. */
export async function cleanupHistory(client: Client, ds: DS, old: readonly Revision[], pods: readonly P[]): Promise<void> {
  let toKill = old.length - (ds.spec?.revisionHistoryLimit ?? 10);
  if (toKill <= 0) return;
  const live = new Set(pods.map((p) => p.metadata?.labels?.[revisionHashLabel]).filter((h): h is string => !!h));
  const crs = client.resource<Revision>(refs.controllerrevisions);
  for (const cr of sortRevisions(old)) {
    if (toKill <= 0) break;
    if (live.has(cr.metadata?.labels?.[revisionHashLabel] ?? '')) continue;
    await crs.delete(cr.metadata!.name!, { namespace: cr.metadata?.namespace }).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
    toKill--;
  }
}
