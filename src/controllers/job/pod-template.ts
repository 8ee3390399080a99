/**
 * @module The pod a Job creates from its template: controller reference, the
 * `batch.kubernetes.io/job-tracking` finalizer (so a pod deleted before it is counted is still
 * counted), and for Indexed Jobs the completion index as annotation, label, `JOB_COMPLETION_INDEX`
 * env var and hostname `<job>-<index>` (all set by the job controller upstream, not the API server).
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { newControllerRef } from '../framework/owner.ts';
import { completionIndexKey } from './indexed.ts';

export const jobTrackingFinalizer = 'batch.kubernetes.io/job-tracking';
export const completionIndexEnv = 'JOB_COMPLETION_INDEX';

type J = Job & KubeObject;
type P = Pod & KubeObject;

function withIndexEnv(c: Container): Container {
  if (c.env?.some((e) => e.name === completionIndexEnv)) return c;
  const env = [
    ...(c.env ?? []),
    { name: completionIndexEnv, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${completionIndexKey}']` } } },
  ];
  return { ...c, env };
}

/** A new pod for the job; `index` only for Indexed Jobs, `extraAnnotations` e.g. failure counts. */
export function podFromJob(job: J, index?: number, extraAnnotations?: Record<string, string>): P {
  const name = job.metadata?.name ?? '';
  const tmpl = structuredClone(job.spec?.template ?? {});
  const labels: Record<string, string> = { ...(tmpl.metadata?.labels ?? {}) };
  const annotations: Record<string, string> = { ...(tmpl.metadata?.annotations ?? {}), ...extraAnnotations };
  let spec = tmpl.spec ?? { containers: [] };
  let generateName = `${name}-`;
  if (index !== undefined) {
    annotations[completionIndexKey] = String(index);
    labels[completionIndexKey] = String(index);
    generateName = `${name}-${index}-`;
    spec = {
      ...spec,
      containers: spec.containers.map(withIndexEnv),
      ...(spec.initContainers ? { initContainers: spec.initContainers.map(withIndexEnv) } : {}),
      hostname: spec.hostname ?? `${name}-${index}`,
    };
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName,
      namespace: job.metadata?.namespace,
      labels,
      annotations,
      finalizers: [jobTrackingFinalizer],
      ownerReferences: [newControllerRef(job, { apiVersion: 'batch/v1', kind: 'Job' })],
    },
    spec,
  };
}
