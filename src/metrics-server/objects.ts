/**
 * @module The NodeMetrics/PodMetrics object shapes this server hands to the API (structurally
 * the `metrics.k8s.io/v1beta1` types the API server declares; declared here too because
 * components do not import the API server).
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

export interface NodeMetricsObject {
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  usage: Record<string, string>;
}

export interface PodMetricsObject {
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  containers: { name: string; usage: Record<string, string> }[];
}
