/**
 * @module A StatefulSet's ControllerRevisions (upstream stateful_set_control.go
 * getStatefulSetRevisions and truncateHistory): the update revision is the current template
 * (created, or an older equal revision renumbered on rollback), the current revision is the
 * one `status.currentRevision` names; history beyond revisionHistoryLimit that no pod uses
 * is deleted.
 */
import type { KubeObject } from '../../api/object.ts';
import { isNotFound } from '../../machinery/status.ts';
import { refs } from '../../client/refs.ts';
import type { Client } from '../../client/rest.ts';
import {
  createControllerRevision,
  equalRevision,
  findEqualRevisions,
  newControllerRevision,
  nextRevision,
  revisionsToPrune,
  sortRevisions,
  templateFromRevision,
  templatePatch,
  updateRevisionNumber,
  type Revision,
} from '../framework/history.ts';
import { podRevision, statefulSetKind, type P, type SS } from './identity.ts';

/** newRevision: the revision the set's current template would be stored as. */
export function newRevision(set: SS, revision: number, collisionCount: number): Revision {
  const cr = newControllerRevision(set as KubeObject, statefulSetKind, set.spec?.template?.metadata?.labels, templatePatch(set.spec?.template), revision, collisionCount);
  if (set.metadata?.annotations) cr.metadata!.annotations = { ...set.metadata.annotations };
  return cr;
}

/** ApplyRevision: the set as it was at that revision (its template restored). */
export function applyRevision(set: SS, cr: Revision): SS {
  const out = structuredClone(set);
  out.spec = { ...out.spec!, template: templateFromRevision(cr) };
  return out;
}

export interface SetRevisions {
  current: Revision;
  update: Revision;
  collisionCount: number;
}

export async function statefulSetRevisions(client: Client, set: SS, owned: readonly Revision[]): Promise<SetRevisions> {
  const revisions = sortRevisions(owned);
  let collisionCount = set.status?.collisionCount ?? 0;
  const candidate = newRevision(set, nextRevision(revisions), collisionCount);
  const equal = findEqualRevisions(revisions, candidate);
  let update: Revision;
  const last = revisions[revisions.length - 1];
  if (equal.length > 0 && equalRevision(last, equal[equal.length - 1])) {
    // Unchanged since the newest revision.
    update = last!;
  } else if (equal.length > 0) {
    // A rollback to an older template: that revision becomes the newest again.
    update = await updateRevisionNumber(client, equal[equal.length - 1]!, candidate.revision);
  } else {
    ({ revision: update, collisionCount } = await createControllerRevision(client, candidate, collisionCount));
  }
  const current = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/** truncateHistory: delete the oldest unused revisions beyond revisionHistoryLimit. */
export async function truncateHistory(client: Client, set: SS, pods: readonly P[], owned: readonly Revision[], current: Revision, update: Revision): Promise<void> {
  const live = new Set([current.metadata?.name, update.metadata?.name, ...pods.map(podRevision)]);
  const prune = revisionsToPrune(owned, set.spec?.revisionHistoryLimit ?? 10, (cr) => live.has(cr.metadata?.name));
  const crs = client.resource<Revision>(refs.controllerrevisions);
  for (const cr of prune)
    await crs.delete(cr.metadata!.name!, { namespace: cr.metadata?.namespace }).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
}
