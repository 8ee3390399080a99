/**
 * @module Tunables of a simulated node pool, with defaults that mirror the kubelet's
 * (lease renewed every 10 s with a 40 s duration, node status reported every 5 min unless it
 * changed) and what a simulated pod does (ready at once, finishing pods run ~1 s).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';

export interface SimCapacity {
  cpu: string;
  memory: string;
  pods: string;
  'ephemeral-storage': string;
}

export interface SimOptions {
  capacity: SimCapacity;
  /** Lease `spec.leaseDurationSeconds` (kubelet: 40). */
  leaseDurationSeconds: number;
  /** How often the node Lease is renewed (kubelet: 10 s, a quarter of the duration). */
  leaseRenewIntervalMs: number;
  /** How often the node status is compared with what the node would report (kubelet: 10 s). */
  nodeStatusUpdateMs: number;
  /** Longest gap between two node status writes when nothing changed (kubelet: 5 min). */
  nodeStatusReportMs: number;
  /** Delay from a container's start to its readiness. */
  podReadyDelayMs: number;
  /** Run time of containers of pods meant to finish (restartPolicy Never/OnFailure). */
  podRunMs: number;
  /** Simulated time containers take to stop; a pod is removed after min(grace, this). */
  podStopDelayMs: number;
  /** How long a pod waits for its node's spec.podCIDR (node IPAM) before a fallback range. */
  podCidrWaitMs: number;
  /** Concurrent pod status writes of the pool. */
  podWorkers: number;
  /** Concurrent node/lease writes of the pool (registration and renewals). */
  nodeWriteConcurrency: number;
  /**
   * Synthetic usage of a running pod (whole pod; split evenly across its containers).
   * Undefined (or returning undefined): the `sim.skiff.dev/cpu-usage` / `memory-usage`
   * annotations, else 1m CPU and 4Mi per container. Read at every metrics collection.
   */
  usage?: (pod: Pod) => { cpuMillis: number; memoryBytes: number } | undefined;
}

export const defaultSimOptions: SimOptions = {
  capacity: { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' },
  leaseDurationSeconds: 40,
  leaseRenewIntervalMs: 10_000,
  nodeStatusUpdateMs: 10_000,
  nodeStatusReportMs: 300_000,
  podReadyDelayMs: 0,
  podRunMs: 1_000,
  podStopDelayMs: 500,
  podCidrWaitMs: 3_000,
  podWorkers: 16,
  nodeWriteConcurrency: 32,
};

/** Pod annotations that override the simulation for one pod. */
export const simAnnotations = {
  /** Seconds the containers run before they exit (pods with restartPolicy Never/OnFailure). */
  runSeconds: 'sim.skiff.dev/run-seconds',
  /** Exit code of the containers when they finish (default 0). */
  exitCode: 'sim.skiff.dev/exit-code',
  /** Seconds from container start to readiness. */
  readySeconds: 'sim.skiff.dev/ready-seconds',
} as const;

export function resolveSimOptions(partial: Partial<SimOptions> = {}): SimOptions {
  const out: SimOptions = { ...defaultSimOptions, capacity: { ...defaultSimOptions.capacity } };
  for (const [k, v] of Object.entries(partial)) {
    if (v === undefined) continue;
    if (k === 'capacity') out.capacity = { ...out.capacity, ...(v as Partial<SimCapacity>) };
    else (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}
