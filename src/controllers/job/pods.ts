/**
 * @module What the Job controller does to pods: create them in slow-start batches (1, 2, 4, …
 * as upstream, so a broken template fails fast), delete them, and drop the job-tracking
 * finalizer once a pod's end is recorded. Expectations are raised before every write.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { isNotFound } from '../../machinery/status.ts';
import { refs } from '../../client/refs.ts';
import type { ControllerContext } from '../framework/controller.ts';
import type { Expectations } from '../framework/expectations.ts';
import { podFromJob, jobTrackingFinalizer } from './pod-template.ts';

type J = Job & KubeObject;
type P = Pod & KubeObject;

export class JobPodActions {
  constructor(
    private readonly ctx: ControllerContext,
    private readonly expectations: Expectations,
  ) {}

  private get pods() {
    return this.ctx.client.resource<P>(refs.pods);
  }

  /**
   * Creates one pod per entry of `indexes` (undefined entries for NonIndexed Jobs), with the
   * extra annotations `annotate` gives an index (per-index failure counts); returns those made.
   */
  async create(key: string, job: J, indexes: Array<number | undefined>, annotate?: (index: number) => Record<string, string>): Promise<P[]> {
    this.expectations.expect(key, indexes.length, 0);
    const created: P[] = [];
    let batch = 1;
    let pending = indexes;
    while (pending.length > 0) {
      const now = pending.slice(0, batch);
      pending = pending.slice(batch);
      const results = await Promise.allSettled(now.map((i) => this.pods.create(podFromJob(job, i, i !== undefined ? annotate?.(i) : undefined), job.metadata?.namespace)));
      let failure: unknown;
      for (const r of results) {
        if (r.status === 'fulfilled') {
          created.push(r.value);
          this.ctx.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata?.name}`);
        } else {
          failure = r.reason;
          this.expectations.creationObserved(key);
          this.ctx.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(r.reason as Error).message}`);
        }
      }
      if (failure) {
        // Skipped creations will never be observed either; the retry starts a new slow start.
        for (let i = 0; i < pending.length; i++) this.expectations.creationObserved(key);
        throw failure;
      }
      batch *= 2;
    }
    return created;
  }

  /**
   * Deletes pods; returns how many are gone or going. `untrack` (upstream deleteJobPods, for
   * suspension and surplus pods) drops the finalizer first so the pod is not counted as
   * failed; without it (deleteActivePods, when the job is finishing) the count happens later.
   */
  async delete(key: string, job: J, victims: readonly P[], opts: { expect: boolean; untrack?: boolean }): Promise<number> {
    if (victims.length === 0) return 0;
    if (opts.expect) this.expectations.expect(key, 0, victims.length);
    let deleted = 0;
    let failure: unknown;
    await Promise.all(
      victims.map(async (p) => {
        const name = p.metadata!.name!;
        try {
          if (opts.untrack) {
            const released = await this.untrack([p]);
            if (!released.has(p.metadata?.uid ?? '')) throw new Error(`removing job-tracking finalizer from pod ${name} failed`);
          }
          await this.pods.delete(name, { namespace: p.metadata?.namespace });
          deleted++;
          this.ctx.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
        } catch (err) {
          if (opts.expect) this.expectations.deletionObserved(key);
          if (isNotFound(err)) deleted++;
          else {
            failure = err;
            this.ctx.recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
          }
        }
      }),
    );
    if (failure) throw failure;
    return deleted;
  }

  /** Removes the tracking finalizer; returns the UIDs now released (patched or already gone). */
  async untrack(pods: readonly P[]): Promise<Set<string>> {
    const released = new Set<string>();
    await Promise.all(
      pods.map(async (p) => {
        const uid = p.metadata?.uid ?? '';
        const i = p.metadata?.finalizers?.indexOf(jobTrackingFinalizer) ?? -1;
        if (i < 0) return void released.add(uid);
        const path = `/metadata/finalizers/${i}`;
        try {
          await this.pods.patch(p.metadata!.name!, 'json', [{ op: 'test', path, value: jobTrackingFinalizer }, { op: 'remove', path }], {
            namespace: p.metadata?.namespace,
          });
          released.add(uid);
        } catch (err) {
          if (isNotFound(err)) released.add(uid);
          else this.ctx.logger.debug('removing job-tracking finalizer failed', { pod: p.metadata?.name, err: err as Error });
        }
      }),
    );
    return released;
  }
}
