/**
 * @module What the metrics server collects from one node per resolution tick: cumulative CPU
 * and working sets of the node and each container (the kubelet's `/metrics/resource` content).
 * In-process sources (simulated nodes) hand over the same shape; `src/cmd` wires them, so this
 * package need not import the kubelet.
 */

export interface ContainerPoint {
  name: string;
  /** Epoch ms the container started (0: unknown). */
  startTime: number;
  /** Epoch ms of the sample. */
  timestamp: number;
  cpuUsageNanos: number;
  memoryWorkingSetBytes: number;
}

export interface PodPoints {
  namespace: string;
  name: string;
  containers: ContainerPoint[];
}

export interface NodePoint {
  nodeName: string;
  timestamp: number;
  cpuUsageNanos: number;
  memoryWorkingSetBytes: number;
  pods: PodPoints[];
}

/** Nodes whose usage is read in-process by name (no scrape). */
export interface UsageSource {
  nodeNames(): string[];
  usage(nodeName: string): Promise<NodePoint | undefined>;
}
