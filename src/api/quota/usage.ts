/**
 * @module What one object uses of a ResourceQuota (upstream pkg/quota/v1/evaluator/core): pods
 * count their compute requests/limits (not once terminal), services their NodePorts and
 * LoadBalancers, claims their storage, and every kind its `count/<resource>[.<group>]`. Shared
 * by quota admission (in the API server) and the resourcequota controller, so both agree.
 */
import type { Container, PersistentVolumeClaim, Pod, ResourceQuota, ScopedResourceSelectorRequirement, Service } from 'kubernetes-types/core/v1.js';
import { Usage, isBinaryFormat, parseMilli } from './quantity.ts';

/** The resources a quota can count, by qualified resource ("pods", "deployments.apps"). */
export const countedResources = new Set([
  'pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas',
  'deployments.apps', 'replicasets.apps', 'statefulsets.apps', 'daemonsets.apps', 'jobs.batch', 'cronjobs.batch',
]);

/** The legacy names that also count objects (upstream's legacy object count aliases). */
const legacyCount: Record<string, string> = {
  pods: 'pods', services: 'services', configmaps: 'configmaps', secrets: 'secrets',
  persistentvolumeclaims: 'persistentvolumeclaims', replicationcontrollers: 'replicationcontrollers', resourcequotas: 'resourcequotas',
};

export const qualifiedResource = (group: string, resource: string): string => (group ? `${resource}.${group}` : resource);

/** Upstream's list of names a pod must request explicitly when a quota limits them. */
export const podValidationSet = new Set(['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory']);

const isTerminalPod = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Upstream QuotaV1Pod: terminal pods, and pods past their deletion grace, use no compute. */
export function podCountsCompute(p: Pod, nowMs: number): boolean {
  if (isTerminalPod(p)) return false;
  const del = p.metadata?.deletionTimestamp;
  const grace = p.metadata?.deletionGracePeriodSeconds;
  if (del && grace !== undefined && grace !== null && nowMs > Date.parse(del) + grace * 1000) return false;
  return true;
}

function addList(into: Usage, list: Record<string, string | number> | undefined, prefix: string): void {
  for (const [k, q] of Object.entries(list ?? {})) into.add(prefix + k, parseMilli(q) ?? 0n, isBinaryFormat(q));
}

/** The effective requests and limits: the sum over containers, at least the largest init container. */
function podResources(p: Pod): { requests: Usage; limits: Usage } {
  const sum = (cs: Container[] | undefined, field: 'requests' | 'limits') => {
    const u = new Usage();
    for (const c of cs ?? []) addList(u, c.resources?.[field] as Record<string, string> | undefined, '');
    return u;
  };
  const max = (base: Usage, cs: Container[] | undefined, field: 'requests' | 'limits') => {
    for (const c of cs ?? []) {
      const one = new Usage();
      addList(one, c.resources?.[field] as Record<string, string> | undefined, '');
      for (const [k, v] of one.values) if (v > base.get(k)) base.add(k, v - base.get(k), one.isBinary(k));
    }
    return base;
  };
  const requests = max(sum(p.spec?.containers, 'requests'), p.spec?.initContainers, 'requests');
  const limits = max(sum(p.spec?.containers, 'limits'), p.spec?.initContainers, 'limits');
  addList(requests, p.spec?.overhead as Record<string, string> | undefined, '');
  return { requests, limits };
}

export function podUsage(p: Pod, nowMs: number): Usage {
  const u = new Usage();
  u.add('count/pods', 1000n);
  if (!podCountsCompute(p, nowMs)) return u;
  u.add('pods', 1000n);
  const { requests, limits } = podResources(p);
  for (const [k, v] of requests.values) {
    const bin = requests.isBinary(k);
    if (k === 'cpu' || k === 'memory') u.add(k, v, bin);
    u.add(`requests.${k}`, v, bin);
  }
  for (const [k, v] of limits.values) u.add(`limits.${k}`, v, limits.isBinary(k));
  return u;
}

function serviceUsage(s: Service): Usage {
  const u = new Usage();
  u.add('services', 1000n);
  const ports = BigInt((s.spec?.ports ?? []).length) * 1000n;
  if (s.spec?.type === 'NodePort') u.add('services.nodeports', ports);
  if (s.spec?.type === 'LoadBalancer') {
    u.add('services.loadbalancers', 1000n);
    if (s.spec.allocateLoadBalancerNodePorts !== false) u.add('services.nodeports', ports);
  }
  return u;
}

function claimUsage(c: PersistentVolumeClaim): Usage {
  const u = new Usage();
  u.add('persistentvolumeclaims', 1000n);
  const q = c.spec?.resources?.requests?.storage;
  if (q !== undefined) {
    u.add('requests.storage', parseMilli(q) ?? 0n, isBinaryFormat(q));
    const cls = c.spec?.storageClassName;
    if (cls) {
      u.add(`${cls}.storageclass.storage.k8s.io/requests.storage`, parseMilli(q) ?? 0n, isBinaryFormat(q));
      u.add(`${cls}.storageclass.storage.k8s.io/persistentvolumeclaims`, 1000n);
    }
  }
  return u;
}

/** Everything an object of `qualified` resource uses. */
export function usageOf(qualified: string, obj: object, nowMs: number): Usage {
  let u: Usage;
  if (qualified === 'pods') u = podUsage(obj as Pod, nowMs);
  else if (qualified === 'services') u = serviceUsage(obj as Service);
  else if (qualified === 'persistentvolumeclaims') u = claimUsage(obj as PersistentVolumeClaim);
  else {
    u = new Usage();
    const legacy = legacyCount[qualified];
    if (legacy) u.add(legacy, 1000n);
  }
  if (qualified !== 'pods') u.add(`count/${qualified}`, 1000n);
  return u;
}

/** Which qualified resource a quota's hard name is about (undefined: not one Skiff counts). */
export function resourceOfQuotaName(name: string): string | undefined {
  if (name.startsWith('count/')) return countedResources.has(name.slice(6)) ? name.slice(6) : undefined;
  if (legacyCount[name]) return legacyCount[name];
  if (name.startsWith('services.')) return 'services';
  if (name === 'requests.storage' || name.includes('.storageclass.storage.k8s.io/')) return 'persistentvolumeclaims';
  if (name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || name.startsWith('requests.') || name.startsWith('limits.') || name.startsWith('hugepages-')) return 'pods';
  return undefined;
}

function isBestEffort(p: Pod): boolean {
  const cs = [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])];
  return cs.every((c) => {
    const has = (l: Record<string, unknown> | undefined) => !!l && ('cpu' in l || 'memory' in l);
    return !has(c.resources?.requests) && !has(c.resources?.limits);
  });
}

function matchesPriority(p: Pod, req: ScopedResourceSelectorRequirement): boolean {
  const pc = p.spec?.priorityClassName ?? '';
  switch (req.operator) {
    case 'In': return (req.values ?? []).includes(pc);
    case 'NotIn': return !(req.values ?? []).includes(pc);
    case 'Exists': return pc !== '';
    case 'DoesNotExist': return pc === '';
    default: return false;
  }
}

function matchesScope(scope: string, p: Pod, req?: ScopedResourceSelectorRequirement): boolean {
  switch (scope) {
    case 'Terminating': return p.spec?.activeDeadlineSeconds !== undefined && p.spec.activeDeadlineSeconds !== null && p.spec.activeDeadlineSeconds >= 0;
    case 'NotTerminating': return p.spec?.activeDeadlineSeconds === undefined || p.spec.activeDeadlineSeconds === null;
    case 'BestEffort': return isBestEffort(p);
    case 'NotBestEffort': return !isBestEffort(p);
    case 'PriorityClass': return req ? matchesPriority(p, req) : true;
    default: return false;
  }
}

/** Whether a quota's scopes (and scopeSelector) select the object; scopes only ever select pods. */
export function quotaSelects(quota: ResourceQuota, qualified: string, obj: object): boolean {
  const scopes = quota.spec?.scopes ?? [];
  const reqs = quota.spec?.scopeSelector?.matchExpressions ?? [];
  if (scopes.length === 0 && reqs.length === 0) return true;
  if (qualified !== 'pods') return false;
  const p = obj as Pod;
  return scopes.every((s) => matchesScope(s, p)) && reqs.every((r) => matchesScope(r.scopeName, p, r));
}

/** Names of hard resources a scoped quota may track (upstream: scopes limit to pod compute and counts). */
export function quotaNamesFor(quota: ResourceQuota, qualified: string): string[] {
  return Object.keys(quota.spec?.hard ?? {}).filter((n) => resourceOfQuotaName(n) === qualified);
}

/** Upstream pod Constraints: every container must set the cpu/memory the quota limits. */
export function podConstraintsError(p: Pod, required: string[]): string | undefined {
  const req = required.filter((r) => podValidationSet.has(r));
  const missing = new Map<string, Set<string>>();
  for (const c of p.spec?.containers ?? []) {
    for (const r of req) {
      const [field, res] = r.includes('.') ? (r.split('.') as ['requests' | 'limits', string]) : (['requests', r] as const);
      const list = c.resources?.[field] as Record<string, unknown> | undefined;
      if (!list || !(res in list)) {
        const set = missing.get(r) ?? new Set<string>();
        set.add(c.name);
        missing.set(r, set);
      }
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}
