/**
 * @module PodSecurity admission (upstream k8s.io/pod-security-admission): a namespace's label
 * `pod-security.kubernetes.io/enforce` (with `-version`) picks the Pod Security Standard a new
 * pod must meet; a pod that does not is refused with upstream's "violates PodSecurity" message.
 * An unlabelled namespace is privileged (upstream's default). The `warn` label adds upstream's
 * "would violate PodSecurity" response warnings, for pods and for workloads with a pod template
 * (where the enforce level warns too, as upstream: a Deployment is admitted, its pods would not
 * be). The `audit` label adds upstream's audit annotations to the request's audit event:
 * `pod-security.kubernetes.io/audit-violations` when the object would violate that level, and
 * `pod-security.kubernetes.io/enforce-policy` naming the level a pod was enforced against.
 */
import type { Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../machinery/status.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './interface.ts';
import { resourceIn } from './interface.ts';
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

/** Resources whose pod template upstream checks for warnings: group/resource → path to the PodSpec. */
const templated: Record<string, (o: KubeObject) => PodSpec | undefined> = {
  'apps/deployments': (o) => (o as Templated).spec?.template?.spec,
  'apps/replicasets': (o) => (o as Templated).spec?.template?.spec,
  'apps/statefulsets': (o) => (o as Templated).spec?.template?.spec,
  'apps/daemonsets': (o) => (o as Templated).spec?.template?.spec,
  'batch/jobs': (o) => (o as Templated).spec?.template?.spec,
  '/replicationcontrollers': (o) => (o as Templated).spec?.template?.spec,
  '/podtemplates': (o) => (o as { template?: { spec?: PodSpec } }).template?.spec,
  'batch/cronjobs': (o) => (o as { spec?: { jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } } }).spec?.jobTemplate?.spec?.template?.spec,
};
type Templated = { spec?: { template?: { spec?: PodSpec } } };

function warningsFor(ns: KubeObject | undefined, spec: PodSpec, modes: Array<'enforce' | 'warn'>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const mode of modes) {
    const { level, version } = policyOf(ns, mode);
    const key = `${level}:${version}`;
    if (level === 'privileged' || seen.has(key)) continue;
    seen.add(key);
    const failed = evaluate(level, spec);
    if (failed.length) out.push(`would violate PodSecurity "${key}": ${formatResults(failed)}`);
  }
  return out;
}

const specChanged = (a: AdmissionAttributes, spec: (o: KubeObject) => PodSpec | undefined) =>
  a.operation === 'CREATE' || !a.oldObject || JSON.stringify(spec(a.oldObject)) !== JSON.stringify(spec(a.object!));

export function podSecurityAdmission(getNamespace: (name: string) => Promise<KubeObject | undefined>): AdmissionPlugin {
  return {
    name: 'PodSecurity',
    handles: (r) => resourceIn(r, '', 'pods') || Object.hasOwn(templated, `${r.group}/${r.resource}`),
    async validate(a) {
      if ((a.operation !== 'CREATE' && a.operation !== 'UPDATE') || a.subresource || !a.object || !a.namespace) return;
      const isPod = a.resource.group === '' && a.resource.resource === 'pods';
      const template = templated[`${a.resource.group}/${a.resource.resource}`];
      if (!isPod && !template) return;
      const podSpec = isPod ? (o: KubeObject) => (o as Pod).spec : template!;
      if (!specChanged(a, podSpec)) return;
      const ns = await getNamespace(a.namespace);
      const spec = podSpec(a.object) ?? { containers: [] };
      const audit = policyOf(ns, 'audit');
      if (audit.level !== 'privileged') {
        const failed = evaluate(audit.level, spec);
        if (failed.length && a.auditAnnotations)
          a.auditAnnotations[`${labelPrefix}audit-violations`] = `would violate PodSecurity "${audit.level}:${audit.version}": ${formatResults(failed)}`;
      }
      if (isPod && a.operation === 'CREATE') {
        const { level, version } = policyOf(ns, 'enforce');
        if (a.auditAnnotations) a.auditAnnotations[`${labelPrefix}enforce-policy`] = `${level}:${version}`;
        const failed = evaluate(level, spec);
        if (failed.length)
          throw StatusError.forbidden({ group: '', resource: 'pods' }, a.name, `violates PodSecurity "${level}:${version}": ${formatResults(failed)}`);
      }
      a.warnings?.push(...warningsFor(ns, spec, isPod ? ['warn'] : ['enforce', 'warn']));
    },
  };
}
