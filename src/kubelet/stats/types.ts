/**
 * @module One node's resource usage at a point in time: cumulative CPU and memory working set of
 * the node and of every running container, as the kubelet's Summary API and `/metrics/resource`
 * report it. The kubelet renders it over HTTPS; in-process sources (simulated nodes) hand it to
 * the metrics pipeline directly, with no HTTP, through a `UsageSource`.
 */

export interface ContainerUsage {
  name: string;
  /** Epoch ms the container started. */
  startTime: number;
  /** Epoch ms of the sample. */
  timestamp: number;
  /** Cumulative CPU time, nanoseconds. */
  cpuUsageNanos: number;
  memoryWorkingSetBytes: number;
  memoryUsageBytes: number;
}

export interface PodUsage {
  namespace: string;
  name: string;
  uid: string;
  /** Epoch ms the pod started (status.startTime). */
  startTime: number;
  containers: ContainerUsage[];
  /**
   * The pod cgroup's own usage (runtimes with pod-level cgroups): everything in the pod, which
   * the pod's figures report instead of the sum of its containers.
   */
  pod?: Omit<ContainerUsage, 'name' | 'startTime'>;
}

export interface NodeUsage {
  nodeName: string;
  /** Epoch ms of the node sample. */
  timestamp: number;
  /** Epoch ms the node (or its kubelet) started, for the Summary API. */
  startTime: number;
  cpuUsageNanos: number;
  memoryWorkingSetBytes: number;
  memoryUsageBytes: number;
  pods: PodUsage[];
}

/** Nodes whose usage is read in-process (by name), with no scrape. */
export interface UsageSource {
  /** The nodes this source answers for. */
  nodeNames(): string[];
  /** Undefined when the node is not (or no longer) served by this source. */
  usage(nodeName: string): Promise<NodeUsage | undefined>;
}
