/**
 * @module The `metrics.k8s.io/v1beta1` objects (k8s.io/metrics `NodeMetrics`, `PodMetrics`) and the
 * provider interface the API serves them from. The provider is injected by whoever wires the
 * process (metrics-server in `src/cmd`): the API server keeps no metrics of its own.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

export type ResourceList = Record<string, string>;

export interface NodeMetrics {
  apiVersion?: 'metrics.k8s.io/v1beta1';
  kind?: 'NodeMetrics';
  metadata: ObjectMeta;
  /** RFC 3339: when the (later) sample of the window was taken. */
  timestamp: string;
  /** Go duration, e.g. `15.002s`. */
  window: string;
  usage: ResourceList;
}

export interface ContainerMetrics {
  name: string;
  usage: ResourceList;
}

export interface PodMetrics {
  apiVersion?: 'metrics.k8s.io/v1beta1';
  kind?: 'PodMetrics';
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  containers: ContainerMetrics[];
}

/** Where the API reads metrics: the latest points the metrics pipeline holds. */
export interface MetricsProvider {
  nodeMetrics(): NodeMetrics[];
  /** Every namespace when `namespace` is empty. */
  podMetrics(namespace: string): PodMetrics[];
}
