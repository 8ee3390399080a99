/**
 * @module Daemon pods as the DaemonSet controller reads and writes them: readiness and
 * availability (podutil.IsPodReady/IsPodAvailable), whether a pod is of the current template
 * (util.IsPodUpdated), the oldest-first order used to pick survivors, and the pod template
 * with the labels and tolerations every daemon pod gets (util.CreatePodTemplate).
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { withDaemonTolerations } from './should-run.ts';

export type P = Pod & KubeObject;
type DS = DaemonSet & KubeObject;

/** apps.DefaultDaemonSetUniqueLabelKey / ControllerRevisionHashLabelKey. */
export const revisionHashLabel = 'controller-revision-hash';
/** extensions.DaemonSetTemplateGenerationKey. */
export const templateGenerationLabel = 'pod-template-generation';
/** The annotation the apps/v1 API keeps the template generation in. */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

export function isPodReady(pod: P): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Ready for at least minReadySeconds. */
export function isPodAvailable(pod: P, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready');
  const since = c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now.getTime();
}

/**
 * util.GetTemplateGeneration: the template generation annotation; the object's generation
 * when the server does not keep that annotation.
 */
export function templateGeneration(ds: DS): number | undefined {
  const a = ds.metadata?.annotations?.[templateGenerationAnnotation];
  if (a !== undefined && /^\d+$/.test(a)) return Number(a);
  return ds.metadata?.generation;
}

/** util.IsPodUpdated: the pod carries the current hash or the current template generation. */
export function isPodUpdated(pod: P, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  const genMatches = generation !== undefined && labels[templateGenerationLabel] === String(generation);
  return (hash !== '' && labels[revisionHashLabel] === hash) || genMatches;
}

/** podByCreationTimestampAndPhase: scheduled pods first, then oldest, then by name. */
export function byCreationAndPhase(a: P, b: P): number {
  const sa = !!a.spec?.nodeName;
  const sb = !!b.spec?.nodeName;
  if (sa !== sb) return sa ? -1 : 1;
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
}

/** util.CreatePodTemplate: the template plus daemon tolerations, generation and hash labels. */
export function daemonPodTemplate(template: PodTemplateSpec | undefined, generation: number | undefined, hash: string): PodTemplateSpec {
  const t: PodTemplateSpec = structuredClone(template ?? {});
  const labels: Record<string, string> = { ...(t.metadata?.labels ?? {}) };
  if (generation !== undefined) labels[templateGenerationLabel] = String(generation);
  if (hash) labels[revisionHashLabel] = hash;
  return { ...t, metadata: { ...(t.metadata ?? {}), labels }, spec: { containers: [], ...(t.spec ?? {}), tolerations: withDaemonTolerations(t.spec) } };
}
