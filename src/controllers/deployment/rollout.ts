/**
 * @module One sync of one Deployment (upstream sync.go): finding or creating the new
 * ReplicaSet and syncing revisions, scaling ReplicaSets (proportionally mid-rollout), cleaning
 * up old revisions, and writing status. The strategies (rolling.ts, recreate.ts) drive it. It
 * holds the latest Deployment it wrote, so successive writes in one sync do not conflict.
 */
import type { EventRecorder } from '../../client/events/recorder.ts';
import type { ResourceClient } from '../../client/rest.ts';
import { isAlreadyExists } from '../../machinery/status.ts';
import type { Clock } from '../../util/clock.ts';
import { isControlledBy, newControllerRef } from '../framework/owner.ts';
import { computeHash, equalIgnoreHash, selectorWithHash, templateWithHash } from './pod-template-hash.ts';
import {
  activeSets,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  findActiveOrLatest,
  isRollingUpdate,
  isSaturated,
  maxSurge,
  newRSNewReplicas,
  proportion,
  sumSpec,
} from './replicas.ts';
import { maxRevision, replicasAnnotationsNeedUpdate, revisionAnnotation, setNewReplicaSetAnnotations, setReplicasAnnotations } from './revision.ts';
import { calculateStatus, getCondition, hasProgressDeadline, newCondition, reasons, removeCondition, sameStatus, setCondition, stuckRequeueAfter, updateProgressing } from './status.ts';
import { deepCopy, deploymentGVK, desiredReplicas, replicaSetGVK, specReplicas, withReplicas, type Condition, type D, type RS, type Status } from './types.ts';

export interface RolloutDeps {
  deployments: ResourceClient<D>;
  replicaSets: ResourceClient<RS>;
  recorder: EventRecorder;
  clock: Clock;
}

export class Rollout {
  /** When to come back (a stalled rollout's deadline), set by syncRolloutStatus. */
  requeueAfterMs: number | undefined;

  constructor(
    private readonly deps: RolloutDeps,
    public d: D,
    readonly rsList: RS[],
  ) {}

  private now(): Date {
    return this.deps.clock.now();
  }

  findNewRS(): RS | undefined {
    return [...this.rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, this.d.spec?.template));
  }

  /** getAllReplicaSetsAndSyncRevision: the new set (created if asked) and all the others. */
  async allReplicaSets(create: boolean): Promise<{ newRS: RS | undefined; oldRSs: RS[] }> {
    const existing = this.findNewRS();
    const oldRSs = this.rsList.filter((rs) => rs !== existing);
    const newRS = await this.newReplicaSet(existing, oldRSs, create);
    return { newRS, oldRSs };
  }

  private async newReplicaSet(existing: RS | undefined, oldRSs: RS[], create: boolean): Promise<RS | undefined> {
    const d = this.d;
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy = deepCopy(existing);
      const annotated = setNewReplicaSetAnnotations(d, copy, newRevision, true, maxSurge(d));
      const minReady = d.spec?.minReadySeconds ?? 0;
      if (annotated || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
        (copy.spec as { minReadySeconds?: number }).minReadySeconds = minReady;
        return this.deps.replicaSets.update(copy);
      }
      const status = this.status();
      let needsUpdate = await this.setRevision(copy.metadata?.annotations?.[revisionAnnotation] ?? '');
      if (hasProgressDeadline(d) && !getCondition(status, 'Progressing')) {
        setCondition(status, newCondition('Progressing', 'True', reasons.foundNewRS, `Found new replica set "${copy.metadata?.name}"`, this.now()));
        needsUpdate = true;
      }
      if (needsUpdate) await this.writeStatus(status);
      return copy;
    }
    if (!create) return undefined;
    const hash = computeHash(d.spec?.template, d.status?.collisionCount);
    const template = templateWithHash(d.spec?.template, hash);
    const name = `${d.metadata?.name}-${hash}`;
    const rs: RS = {
      apiVersion: replicaSetGVK.apiVersion,
      kind: replicaSetGVK.kind,
      metadata: { name, namespace: d.metadata?.namespace, labels: template.metadata?.labels, ownerReferences: [newControllerRef(d, deploymentGVK)] },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector: selectorWithHash(d.spec?.selector, hash), template },
    };
    const newReplicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    (rs.spec as { replicas?: number }).replicas = newReplicas;
    setNewReplicaSetAnnotations(d, rs, newRevision, false, maxSurge(d));
    let created: RS;
    let alreadyExisted = false;
    try {
      created = await this.deps.replicaSets.create(rs);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        const status = this.status();
        const msg = `Failed to create new replica set "${name}": ${(err as Error).message}`;
        if (hasProgressDeadline(d)) {
          setCondition(status, newCondition('Progressing', 'False', reasons.failedRSCreate, msg, this.now()));
          await this.writeStatus(status).catch(() => {});
        }
        this.deps.recorder.event(d, 'Warning', reasons.failedRSCreate, msg);
        throw err;
      }
      const found = await this.deps.replicaSets.get(name, d.metadata?.namespace);
      if (!isControlledBy(found, d) || !equalIgnoreHash(found.spec?.template, d.spec?.template)) {
        // A different object holds the name: hash again with a bumped collision count.
        const status = this.status();
        status.collisionCount = (d.status?.collisionCount ?? 0) + 1;
        await this.writeStatus(status);
        throw new Error(`found a hash collision for deployment "${d.metadata?.name}" - bumping collisionCount to ${status.collisionCount}`);
      }
      created = found;
      alreadyExisted = true;
    }
    if (!alreadyExisted && newReplicas > 0)
      this.deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${newReplicas}`);
    const status = this.status();
    let needsUpdate = await this.setRevision(String(newRevision));
    if (!alreadyExisted && hasProgressDeadline(d)) {
      setCondition(status, newCondition('Progressing', 'True', reasons.newRSCreated, `Created new replica set "${name}"`, this.now()));
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus(status);
    return created;
  }

  /** A working copy of the current status. */
  private status(): Status {
    return deepCopy((this.d.status ?? {}) as Status);
  }

  /**
   * SetDeploymentRevision. Upstream writes the annotation through UpdateStatus; Skiff's status
   * subresource keeps metadata, so it is a metadata-only merge patch (no new generation).
   */
  private async setRevision(revision: string): Promise<boolean> {
    if (!revision || this.d.metadata?.annotations?.[revisionAnnotation] === revision) return false;
    const patched = await this.deps.deployments.patch(this.d.metadata!.name!, 'merge', { metadata: { annotations: { [revisionAnnotation]: revision } } }, { namespace: this.d.metadata?.namespace });
    this.d = { ...patched, status: this.d.status };
    return true;
  }

  async writeStatus(status: Status): Promise<void> {
    this.d = await this.deps.deployments.update({ ...this.d, status } as D, 'status');
  }

  /** scaleReplicaSetAndRecordEvent. */
  async scaleAndRecord(rs: RS, newScale: number): Promise<[boolean, RS]> {
    if (specReplicas(rs) === newScale) return [false, rs];
    return this.scaleReplicaSet(rs, newScale, newScale > specReplicas(rs) ? 'up' : 'down');
  }

  async scaleReplicaSet(rs: RS, newScale: number, op: string): Promise<[boolean, RS]> {
    const desired = desiredReplicas(this.d);
    const max = desired + maxSurge(this.d);
    const sizeChanges = specReplicas(rs) !== newScale;
    if (!sizeChanges && !replicasAnnotationsNeedUpdate(rs, desired, max)) return [false, rs];
    const old = specReplicas(rs);
    const copy = withReplicas(rs, newScale);
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.deps.replicaSets.update(copy);
    if (sizeChanges) this.deps.recorder.event(this.d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata?.name} from ${old} to ${newScale}`);
    return [sizeChanges, updated];
  }

  /** scale: bring the sets to the Deployment's size, proportionally when several are active. */
  async scale(newRS: RS | undefined, oldRSs: RS[]): Promise<void> {
    const d = this.d;
    const want = desiredReplicas(d);
    const only = findActiveOrLatest(newRS, oldRSs);
    if (only) {
      if (specReplicas(only) !== want) await this.scaleAndRecord(only, want);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of activeSets(oldRSs)) await this.scaleAndRecord(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = activeSets([...oldRSs, newRS]);
    const allowed = want > 0 ? want + maxSurge(d) : 0;
    const toAdd = allowed - sumSpec(all);
    let op = '';
    if (toAdd > 0) {
      all.sort(bySizeNewer);
      op = 'up';
    } else if (toAdd < 0) {
      all.sort(bySizeOlder);
      op = 'down';
    }
    let added = 0;
    const sizes = new Map<RS, number>();
    for (const rs of all) {
      const p = toAdd !== 0 ? proportion(rs, d, toAdd, added) : 0;
      sizes.set(rs, specReplicas(rs) + p);
      added += p;
    }
    for (const [i, rs] of all.entries()) {
      // Leftovers go to (or come from) the largest set.
      if (i === 0 && toAdd !== 0) sizes.set(rs, Math.max(0, sizes.get(rs)! + toAdd - added));
      await this.scaleReplicaSet(rs, sizes.get(rs)!, op);
    }
  }

  /** cleanupDeployment: delete the oldest fully scaled-down sets past revisionHistoryLimit. */
  async cleanup(oldRSs: RS[]): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (const rs of cleanable.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0) continue;
      if ((rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      await this.deps.replicaSets.delete(rs.metadata!.name!, { namespace: rs.metadata?.namespace, preconditions: { uid: rs.metadata?.uid } }).catch(() => {});
    }
  }

  /** syncDeploymentStatus: counts and Available only (scaling and paused syncs). */
  async syncStatus(all: (RS | undefined)[], newRS: RS | undefined): Promise<void> {
    const status = calculateStatus(all, newRS, this.d, this.now());
    if (!sameStatus(this.d.status, status)) await this.writeStatus(status);
  }

  /** syncRolloutStatus: counts, Available, Progressing and ReplicaFailure. */
  async syncRolloutStatus(all: (RS | undefined)[], newRS: RS | undefined): Promise<void> {
    const now = this.now();
    const status = calculateStatus(all, newRS, this.d, now);
    updateProgressing(this.d, status, newRS, now);
    const failure = replicaFailure(all, newRS);
    if (failure) setCondition(status, failure);
    else removeCondition(status, 'ReplicaFailure');
    if (sameStatus(this.d.status, status)) {
      this.requeueAfterMs = stuckRequeueAfter(this.d, status, now);
      return;
    }
    await this.writeStatus(status);
  }

  /** checkPausedConditions: Progressing Unknown DeploymentPaused / DeploymentResumed. */
  async checkPausedConditions(): Promise<void> {
    if (!hasProgressDeadline(this.d)) return;
    const cond = getCondition(this.d.status, 'Progressing');
    if (cond?.reason === reasons.timedOut) return;
    const paused = !!this.d.spec?.paused;
    const status = this.status();
    if (paused && cond?.reason !== reasons.paused) {
      setCondition(status, newCondition('Progressing', 'Unknown', reasons.paused, 'Deployment is paused', this.now()));
    } else if (!paused && cond?.reason === reasons.paused) {
      setCondition(status, newCondition('Progressing', 'Unknown', reasons.resumed, 'Deployment is resumed', this.now()));
    } else return;
    await this.writeStatus(status);
  }

  /** sync: a scaling event or a paused Deployment — scale, maybe clean up, write status. */
  async sync(): Promise<void> {
    const { newRS, oldRSs } = await this.allReplicaSets(false);
    await this.scale(newRS, oldRSs);
    if (this.d.spec?.paused) await this.cleanup(oldRSs);
    await this.syncStatus([...oldRSs, newRS], newRS);
  }
}

/** The first ReplicaFailure on the new set, else on any set, as a Deployment condition. */
function replicaFailure(all: (RS | undefined)[], newRS: RS | undefined): Condition | undefined {
  for (const rs of [newRS, ...all]) {
    const c = rs?.status?.conditions?.find((x) => x.type === 'ReplicaFailure' && x.status === 'True');
    if (c) return { type: c.type, status: c.status, reason: c.reason, message: c.message, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime };
  }
  return undefined;
}
