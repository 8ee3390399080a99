/**
 * @module Resource references for the kinds components talk to most, so a controller writes
 * `client.resource<Pod>(refs.pods)` instead of spelling group/version/resource each time.
 * They come from the one resource table in machinery.
 */
import { builtinResources, findResource } from '../machinery/resources.ts';
import type { ResourceRef } from './rest.ts';

function ref(group: string, version: string, resource: string): ResourceRef {
  const info = findResource(builtinResources, group, version, resource);
  if (!info) throw new Error(`unknown resource ${group}/${version}/${resource}`);
  return { group: info.group, version: info.version, resource: info.resource, namespaced: info.namespaced };
}

export const refs = {
  namespaces: ref('', 'v1', 'namespaces'),
  nodes: ref('', 'v1', 'nodes'),
  pods: ref('', 'v1', 'pods'),
  events: ref('', 'v1', 'events'),
  services: ref('', 'v1', 'services'),
  endpoints: ref('', 'v1', 'endpoints'),
  configmaps: ref('', 'v1', 'configmaps'),
  secrets: ref('', 'v1', 'secrets'),
  serviceaccounts: ref('', 'v1', 'serviceaccounts'),
  persistentvolumes: ref('', 'v1', 'persistentvolumes'),
  persistentvolumeclaims: ref('', 'v1', 'persistentvolumeclaims'),
  replicationcontrollers: ref('', 'v1', 'replicationcontrollers'),
  podtemplates: ref('', 'v1', 'podtemplates'),
  resourcequotas: ref('', 'v1', 'resourcequotas'),
  limitranges: ref('', 'v1', 'limitranges'),
  deployments: ref('apps', 'v1', 'deployments'),
  replicasets: ref('apps', 'v1', 'replicasets'),
  statefulsets: ref('apps', 'v1', 'statefulsets'),
  daemonsets: ref('apps', 'v1', 'daemonsets'),
  controllerrevisions: ref('apps', 'v1', 'controllerrevisions'),
  jobs: ref('batch', 'v1', 'jobs'),
  cronjobs: ref('batch', 'v1', 'cronjobs'),
  leases: ref('coordination.k8s.io', 'v1', 'leases'),
  endpointslices: ref('discovery.k8s.io', 'v1', 'endpointslices'),
  poddisruptionbudgets: ref('policy', 'v1', 'poddisruptionbudgets'),
  priorityclasses: ref('scheduling.k8s.io', 'v1', 'priorityclasses'),
  storageclasses: ref('storage.k8s.io', 'v1', 'storageclasses'),
  horizontalpodautoscalers: ref('autoscaling', 'v2', 'horizontalpodautoscalers'),
  ingresses: ref('networking.k8s.io', 'v1', 'ingresses'),
} as const;

/** The cache key client-go's MetaNamespaceKeyFunc gives: `namespace/name`, or `name`. */
export function keyOf(obj: { metadata?: { name?: string; namespace?: string } }): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/** Splits a cache key back into namespace and name (namespace is '' for cluster-scoped keys). */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
