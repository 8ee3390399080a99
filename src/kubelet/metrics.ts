/**
 * @module The kubelet's Prometheus metrics under upstream's names (pkg/kubelet/metrics): pod
 * start latency (first seen by this kubelet → Running, and creation → Running), pod worker
 * sync durations, and running pods/containers (read from the runtime at scrape time). Served
 * on the kubelet endpoint's `/metrics`; the embedded kubelet registers on the server's
 * registry so the API server's `/metrics` shows it too.
 */
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { PodStatus } from 'kubernetes-types/core/v1.js';
import type { P } from './deps.ts';
import type { Runtime } from './runtime/interface.ts';

/** Upstream's pod start buckets (seconds). */
const startBuckets = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];
/** Upstream's DefBuckets-like worker buckets (metrics.DefBuckets). */
const workerBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type WorkerOperation = 'create' | 'sync' | 'kill';

export class KubeletMetrics {
  private readonly startDuration: Histogram;
  private readonly startTotal: Histogram;
  private readonly workerDuration: Histogram<'operation'>;
  /** uid → when this kubelet first saw the pod (ms); dropped once Running is observed. */
  private readonly firstSeen = new Map<string, number>();
  private readonly started = new Set<string>();

  constructor(
    readonly registry: Registry,
    runtime: Runtime,
    private readonly now: () => number = Date.now,
  ) {
    const registers = [registry];
    this.startDuration = new Histogram({
      name: 'kubelet_pod_start_duration_seconds',
      help: 'Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run',
      buckets: startBuckets,
      registers,
    });
    this.startTotal = new Histogram({
      name: 'kubelet_pod_start_total_duration_seconds',
      help: 'Duration in seconds to start a pod since creation, including time to pull images and run init containers, measured from pod creation timestamp to when all its containers are reported as started and observed via watch',
      buckets: startBuckets,
      registers,
    });
    this.workerDuration = new Histogram({
      name: 'kubelet_pod_worker_duration_seconds',
      help: 'Duration in seconds to sync a single pod. Broken down by operation type: create, update, or sync',
      labelNames: ['operation'],
      buckets: workerBuckets,
      registers,
    });
    new Gauge({
      name: 'kubelet_running_pods',
      help: 'Number of pods that have a running pod sandbox',
      registers,
      async collect() {
        this.set((await runtime.listPodSandboxes()).filter((s) => s.state === 'ready').length);
      },
    });
    new Gauge({
      name: 'kubelet_running_containers',
      help: 'Number of containers currently running',
      labelNames: ['container_state'],
      registers,
      async collect() {
        this.reset();
        for (const c of await runtime.listContainers()) this.inc({ container_state: c.state });
      },
    });
  }

  /** A pod bound to this node was seen (only the first call per uid counts). */
  podSeen(uid: string): void {
    if (!this.started.has(uid) && !this.firstSeen.has(uid)) this.firstSeen.set(uid, this.now());
  }

  /** A status computed for the pod; the first Running one records its start latency. */
  podStatus(pod: P, status: PodStatus): void {
    const uid = pod.metadata?.uid ?? '';
    if (status.phase !== 'Running' || this.started.has(uid)) return;
    this.started.add(uid);
    const now = this.now();
    const seen = this.firstSeen.get(uid);
    this.firstSeen.delete(uid);
    if (seen !== undefined) this.startDuration.observe((now - seen) / 1000);
    const created = Date.parse(pod.metadata?.creationTimestamp ?? '');
    if (!Number.isNaN(created)) this.startTotal.observe(Math.max(0, now - created) / 1000);
  }

  /** The pod's worker is gone: forget it. */
  podForgotten(uid: string): void {
    this.firstSeen.delete(uid);
    this.started.delete(uid);
  }

  workerSynced(operation: WorkerOperation, seconds: number): void {
    this.workerDuration.observe({ operation }, seconds);
  }
}
