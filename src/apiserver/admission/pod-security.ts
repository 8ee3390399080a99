/**
 * @module PodSecurity admission (upstream k8s.io/pod-security-admission): a namespace's label
 * `pod-security.kubernetes.io/enforce` (with `-version`) picks the Pod Security Standard a new
 * pod must meet; a pod that does not is refused with upstream's "violates PodSecurity" message.
 * An unlabelled namespace is privileged (upstream's default). The warn and audit modes are
 * evaluated by `podSecurityWarnings` but not yet delivered: the admission interface has no
 * channel for response warnings.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../machinery/status.ts';
import type { AdmissionPlugin } from './interface.ts';
import { evaluate, formatResults, type Level } from './pod-security/checks.ts';

const labelPrefix = 'pod-security.kubernetes.io/';
const levels = new Set<Level>(['privileged', 'baseline', 'restricted']);

/** The level and version a namespace sets for a mode (enforce, warn, audit). */
export function policyOf(ns: KubeObject | undefined, mode: 'enforce' | 'warn' | 'audit'): { level: Level; version: string } {
  const labels = ns?.metadata?.labels ?? {};
  const level = labels[`${labelPrefix}${mode}`] as Level | undefined;
  const version = labels[`${labelPrefix}${mode}-version`] || 'latest';
  return { level: level && levels.has(level) ? level : 'privileged', version };
}

/** Upstream's warning texts for a pod in a namespace whose warn level it violates. */
export function podSecurityWarnings(ns: KubeObject | undefined, pod: Pod): string[] {
  const { level, version } = policyOf(ns, 'warn');
  const failed = evaluate(level, pod.spec ?? { containers: [] });
  return failed.length ? [`would violate PodSecurity "${level}:${version}": ${formatResults(failed)}`] : [];
}

export function podSecurityAdmission(getNamespace: (name: string) => Promise<KubeObject | undefined>): AdmissionPlugin {
  return {
    name: 'PodSecurity',
    async validate(a) {
      if (a.operation !== 'CREATE' || a.subresource || !a.object || a.resource.group !== '' || a.resource.resource !== 'pods') return;
      const ns = await getNamespace(a.namespace);
      const { level, version } = policyOf(ns, 'enforce');
      const failed = evaluate(level, (a.object as Pod).spec ?? { containers: [] });
      if (failed.length)
        throw StatusError.forbidden({ group: '', resource: 'pods' }, a.name, `violates PodSecurity "${level}:${version}": ${formatResults(failed)}`);
    },
  };
}
