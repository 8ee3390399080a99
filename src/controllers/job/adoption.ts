/**
 * @module Which pods a Job owns (upstream getPodsForJob with the ControllerRefManager): pods in
 * its namespace that match its selector and have no controller are adopted — controller
 * reference and job-tracking finalizer in one patch, after a fresh read confirms the Job still
 * exists and is not being deleted — and pods it controls that no longer match are released,
 * losing both again.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { refs } from '../../client/refs.ts';
import { selectorFromLabelSelector } from '../../machinery/labels.ts';
import { isNotFound } from '../../machinery/status.ts';
import type { ControllerContext } from '../framework/controller.ts';
import { controllerOf, newControllerRef } from '../framework/owner.ts';
import { jobTrackingFinalizer } from './pod-template.ts';

type J = Job & KubeObject;
type P = Pod & KubeObject;

const jobKind = { apiVersion: 'batch/v1', kind: 'Job' };

/** Whether the Job's selector picks this pod (a Job without selector picks nothing). */
export function jobSelects(job: J, pod: P): boolean {
  return selectorFromLabelSelector(job.spec?.selector).matches(pod.metadata?.labels ?? {});
}

/** Returns the pods the Job controls after adopting and releasing; `candidates` is its namespace. */
export async function claimJobPods(ctx: ControllerContext, job: J, candidates: readonly P[]): Promise<P[]> {
  const uid = job.metadata?.uid ?? '';
  const deleting = !!job.metadata?.deletionTimestamp;
  const pods = ctx.client.resource<P>(refs.pods);
  let canAdopt: Promise<boolean> | undefined;
  const claimed: P[] = [];
  const errors: unknown[] = [];
  const patch = async (p: P, body: Record<string, unknown>): Promise<P | undefined> => {
    try {
      return await pods.patch(p.metadata!.name!, 'strategic', { metadata: { ...body, uid: p.metadata?.uid } }, { namespace: p.metadata?.namespace });
    } catch (err) {
      if (!isNotFound(err)) errors.push(err);
      return undefined;
    }
  };
  await Promise.all(
    candidates.map(async (p) => {
      const ref = controllerOf(p);
      const matches = jobSelects(job, p);
      if (ref) {
        if (ref.uid !== uid) return;
        if (matches || deleting) return void claimed.push(p);
        await patch(p, { ownerReferences: [{ $patch: 'delete', uid }], [`$deleteFromPrimitiveList/finalizers`]: [jobTrackingFinalizer] });
        return;
      }
      if (deleting || !matches || p.metadata?.deletionTimestamp) return;
      canAdopt ??= ctx.client
        .resource<J>(refs.jobs)
        .get(job.metadata!.name!, job.metadata?.namespace)
        .then(
          (fresh) => fresh.metadata?.uid === uid && !fresh.metadata?.deletionTimestamp,
          () => false,
        );
      if (!(await canAdopt)) return;
      // A finished pod is adopted too, and counted through the finalizer like any other.
      const adopted = await patch(p, { ownerReferences: [newControllerRef(job, jobKind)], finalizers: [jobTrackingFinalizer] });
      if (adopted) claimed.push(adopted);
    }),
  );
  if (errors.length) throw errors[0];
  return claimed;
}
