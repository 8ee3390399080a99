/**
 * @module Pod spec defaults as upstream's SetDefaults_PodSpec / SetDefaults_Container
 * (pkg/apis/core/v1/defaults.go), shared by pods and every pod template.
 */
import type { Container, PodSpec, PodTemplateSpec, Probe } from 'kubernetes-types/core/v1.js';
import type { Mutable } from '../object.ts';

function imageTag(image: string): string | undefined {
  const noDigest = image.split('@')[0]!;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(colon + 1) : undefined;
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  const m = p as Mutable<Probe>;
  m.timeoutSeconds ??= 1;
  m.periodSeconds ??= 10;
  m.successThreshold ??= 1;
  m.failureThreshold ??= 3;
  if (m.httpGet) (m.httpGet as Mutable<NonNullable<Probe['httpGet']>>).scheme ??= 'HTTP';
}

export function defaultContainer(c: Container): void {
  const m = c as Mutable<Container>;
  if (m.image && !m.imagePullPolicy) {
    const tag = imageTag(m.image);
    m.imagePullPolicy = m.image.includes('@') ? 'IfNotPresent' : !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
  }
  m.terminationMessagePath ??= '/dev/termination-log';
  m.terminationMessagePolicy ??= 'File';
  m.resources ??= {};
  for (const p of m.ports ?? []) (p as { protocol?: string }).protocol ??= 'TCP';
  defaultProbe(m.livenessProbe);
  defaultProbe(m.readinessProbe);
  defaultProbe(m.startupProbe);
}

export function defaultPodSpec(spec: PodSpec): void {
  const m = spec as Mutable<PodSpec>;
  m.restartPolicy ??= 'Always';
  m.dnsPolicy ??= 'ClusterFirst';
  m.schedulerName ??= 'default-scheduler';
  m.terminationGracePeriodSeconds ??= 30;
  m.securityContext ??= {};
  m.enableServiceLinks ??= true;
  for (const c of [...(m.initContainers ?? []), ...(m.containers ?? [])]) defaultContainer(c);
  for (const v of m.volumes ?? []) {
    const vol = v as { configMap?: { defaultMode?: number }; secret?: { defaultMode?: number }; emptyDir?: object };
    if (vol.configMap) vol.configMap.defaultMode ??= 0o644;
    if (vol.secret) vol.secret.defaultMode ??= 0o644;
  }
}

export function defaultPodTemplateSpec(t: PodTemplateSpec): void {
  if (t.spec) defaultPodSpec(t.spec);
}

/**
 * Upstream SetDefaults_Pod (pods only, not templates): a container that sets a limit but no
 * request for a resource requests its limit, so the scheduler and the QoS class count it.
 */
export function defaultRequestsFromLimits(spec: PodSpec): void {
  // Defaults run before validation: anything may be in a malformed body.
  const list = (v: unknown): Container[] => (Array.isArray(v) ? (v as Container[]) : []);
  for (const c of [...list(spec.initContainers), ...list(spec.containers)]) {
    const limits = c?.resources?.limits;
    if (!limits || typeof limits !== 'object' || Array.isArray(limits)) continue;
    if (c.resources!.requests !== undefined && (typeof c.resources!.requests !== 'object' || c.resources!.requests === null || Array.isArray(c.resources!.requests))) continue;
    const r = c.resources as Mutable<NonNullable<Container['resources']>>;
    const requests = (r.requests ??= {}) as Record<string, NonNullable<typeof limits>[string]>;
    for (const [k, v] of Object.entries(limits)) if (requests[k] === undefined) requests[k] = v;
  }
}
