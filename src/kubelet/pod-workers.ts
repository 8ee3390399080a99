/**
 * @module Pod workers (upstream pod_workers.go): one serial worker per pod UID. Informer
 * events, container exits, probe results and back-off expiry only `kick` a pod; its worker
 * then runs one sync at a time against the newest copy of the pod (or terminates it once it
 * is marked for deletion or gone from the API) and schedules its own next sync.
 */
import { rm } from 'node:fs/promises';
import { podLogDir, podUid, type KubeletDeps, type P } from './deps.ts';
import { syncPod, terminatePod } from './pod-sync.ts';
import type { KubeletMetrics } from './metrics.ts';

interface Worker {
  pod: P;
  /** Gone from the API (deleted with grace 0 by someone, or our own final delete). */
  removed: boolean;
  busy: boolean;
  again: boolean;
  timer?: NodeJS.Timeout;
  finished: boolean;
  /** Has synced once (the worker-duration metric's `create` vs `sync`). */
  synced?: boolean;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private stopped = false;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly d: KubeletDeps,
    private readonly metrics?: KubeletMetrics,
  ) {}

  /** The newest copy of a pod bound to this node. */
  update(pod: P): void {
    const uid = podUid(pod);
    const w = this.workers.get(uid);
    if (w?.finished) return;
    if (w) w.pod = pod;
    else {
      this.workers.set(uid, { pod, removed: false, busy: false, again: false, finished: false });
      this.metrics?.podSeen(uid);
    }
    this.kick(uid);
  }

  remove(pod: P): void {
    const w = this.workers.get(podUid(pod));
    if (!w) return;
    w.removed = true;
    this.kick(podUid(pod));
  }

  has(uid: string): boolean {
    return this.workers.has(uid);
  }

  kick(uid: string, afterMs = 0): void {
    const w = this.workers.get(uid);
    if (!w || this.stopped || w.finished) return;
    if (afterMs > 0) {
      clearTimeout(w.timer);
      w.timer = setTimeout(() => this.kick(uid), afterMs);
      return;
    }
    if (w.busy) {
      w.again = true;
      return;
    }
    w.busy = true;
    const p = this.run(uid, w).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private async run(uid: string, w: Worker): Promise<void> {
    do {
      w.again = false;
      clearTimeout(w.timer);
      let next = this.d.resyncMs;
      try {
        const deleting = w.removed || !!w.pod.metadata?.deletionTimestamp;
        const started = performance.now();
        const r = deleting ? await terminatePod(this.d, w.pod, !w.removed) : await syncPod(this.d, w.pod);
        this.metrics?.workerSynced(deleting ? 'kill' : w.synced ? 'sync' : 'create', (performance.now() - started) / 1000);
        w.synced = true;
        if (r.finished) {
          w.finished = true;
          await rm(podLogDir(this.d, w.pod), { recursive: true, force: true });
          // Keep the tombstone briefly so a late informer event does not restart the pod.
          setTimeout(() => {
            this.workers.delete(uid);
            this.metrics?.podForgotten(uid);
          }, 60_000).unref();
          break;
        }
        next = r.requeueAfterMs;
      } catch (err) {
        if (!this.stopped) this.d.logger.warn('pod sync failed', { pod: `${w.pod.metadata?.namespace}/${w.pod.metadata?.name}`, err: (err as Error).message });
        next = 1000;
      }
      if (!this.stopped && !w.again) {
        w.timer = setTimeout(() => this.kick(uid), next);
        w.timer.unref?.();
      }
    } while (w.again && !this.stopped);
    w.busy = false;
  }

  /** Stops scheduling syncs; running ones finish. Containers keep running (restart safety). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers.values()) clearTimeout(w.timer);
    await Promise.allSettled([...this.inflight]);
  }
}
