/**
 * @module The TTL-after-finished controller ("ttl-after-finished-controller", upstream
 * pkg/controller/ttlafterfinished): deletes a finished Job `spec.ttlSecondsAfterFinished`
 * seconds after it finished (the Complete/Failed condition's transition time). Before deleting it
 * re-reads the Job from the API server, since the TTL may have been changed, and deletes it in
 * the foreground (its pods go first, through the garbage collector) with a UID precondition, so a
 * new Job of the same name is safe.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs, splitKey } from '../client/refs.ts';
import { isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext, type ReconcileResult } from './framework/controller.ts';

export const controllerName = 'ttl-after-finished-controller';
type J = Job & KubeObject;

/** When the job finished, in ms since the epoch, or undefined while it runs. */
export function jobFinishTime(job: J): number | undefined {
  const cond = job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!cond) return undefined;
  return cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : undefined;
}

/** Milliseconds until the job expires (≤ 0: now), or undefined when it never does. */
export function timeLeftMs(job: J, nowMs: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata?.deletionTimestamp) return undefined;
  const finished = jobFinishTime(job);
  if (finished === undefined) return undefined;
  return finished + ttl * 1000 - nowMs;
}

export class TTLAfterFinishedController implements Controller {
  readonly name = controllerName;
  private readonly jobs: Informer<J>;
  private readonly runner: QueueRunner;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner(ctx, controllerName, (k) => this.reconcile(k), { workers: 2 });
    this.jobs = ctx.informers.informerFor<J>(refs.jobs);
    const maybeEnqueue = (j: J) => {
      if (j.spec?.ttlSecondsAfterFinished != null && jobFinishTime(j) !== undefined) this.runner.enqueue(keyOf(j));
    };
    this.jobs.addEventHandler({ onAdd: maybeEnqueue, onUpdate: (_, j) => maybeEnqueue(j) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const cached = this.jobs.store.get(key);
    if (!cached) return;
    const left = timeLeftMs(cached, this.ctx.clock.now().getTime());
    if (left === undefined) return;
    if (left > 0) return { requeueAfterMs: left };
    const { namespace, name } = splitKey(key);
    const client = this.ctx.client.resource<J>(refs.jobs);
    let fresh: J;
    try {
      fresh = await client.get(name, namespace);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const freshLeft = timeLeftMs(fresh, this.ctx.clock.now().getTime());
    if (freshLeft === undefined) return;
    if (freshLeft > 0) return { requeueAfterMs: freshLeft };
    this.ctx.logger.info('cleaning up finished job', { job: key });
    try {
      await client.delete(name, { namespace, propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
