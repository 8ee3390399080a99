/**
 * @module The resources of `metrics.k8s.io/v1beta1` for discovery: read-only, as metrics-server
 * registers them (get and list; kubectl only lists).
 */
import type { ResourceInfo } from '../../../machinery/resources.ts';

export const metricsGroup = 'metrics.k8s.io';
export const metricsVersion = 'v1beta1';

export const metricsResources: ResourceInfo[] = [
  { group: metricsGroup, version: metricsVersion, resource: 'nodes', singular: '', kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'] },
  { group: metricsGroup, version: metricsVersion, resource: 'pods', singular: '', kind: 'PodMetrics', namespaced: true, verbs: ['get', 'list'] },
];
