/**
 * @module The prober manager: one timer-driven worker per (container, probe kind), started
 * when a container runs and dropped when it is replaced. Probes begin `initialDelaySeconds`
 * after the container started and repeat every `periodSeconds`; liveness and readiness wait
 * for the startup probe to succeed. Failed attempts emit `Unhealthy` events; a changed
 * result calls `onChange(podUid)` so the pod worker re-syncs (restart or readiness flip).
 */
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { EventRecorder } from '../../client/events/recorder.ts';
import type { Runtime } from '../runtime/interface.ts';
import { runProbe } from './probe.ts';
import { ProbeState, type ProbeKind } from './thresholds.ts';

interface Worker {
  containerId: string;
  state: ProbeState;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

const label: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

export class ProbeManager {
  private readonly workers = new Map<string, Worker>();

  constructor(
    private readonly runtime: Runtime,
    private readonly recorder: EventRecorder,
    private readonly onChange: (uid: string) => void,
  ) {}

  private key(uid: string, name: string, kind: ProbeKind) {
    return `${uid}/${name}/${kind}`;
  }

  /** Ensures workers for a running container (a new containerId replaces the old workers). */
  ensure(pod: Pod & KubeObject, c: Container, containerId: string, startedAt: number, podIP: string): void {
    const uid = pod.metadata?.uid ?? '';
    for (const [kind, probe] of [['startup', c.startupProbe], ['liveness', c.livenessProbe], ['readiness', c.readinessProbe]] as [ProbeKind, Probe | undefined][]) {
      if (!probe) continue;
      const k = this.key(uid, c.name, kind);
      const w = this.workers.get(k);
      if (w?.containerId === containerId) continue;
      if (w) this.stopWorker(w);
      const nw: Worker = { containerId, state: new ProbeState(kind, kind === 'readiness' ? (probe.successThreshold ?? 1) : 1, probe.failureThreshold ?? 3), stopped: false };
      this.workers.set(k, nw);
      const period = (probe.periodSeconds ?? 10) * 1000;
      const tick = async () => {
        if (nw.stopped) return;
        const startupOk = kind === 'startup' || !c.startupProbe || this.workers.get(this.key(uid, c.name, 'startup'))?.state.result === 'success';
        if (!nw.state.onHold && startupOk && !(kind === 'startup' && nw.state.result === 'success')) {
          const r = await runProbe(probe, { runtime: this.runtime, containerId, container: c, podIP });
          if (nw.stopped) return;
          if (!r.ok) this.recorder.event(pod, 'Warning', 'Unhealthy', `${label[kind]} probe failed: ${r.output}`);
          if (nw.state.observe(r.ok)) this.onChange(uid);
        }
        if (!nw.stopped) nw.timer = setTimeout(tick, period);
      };
      const delay = Math.max(0, startedAt + (probe.initialDelaySeconds ?? 0) * 1000 - Date.now());
      nw.timer = setTimeout(tick, delay);
    }
  }

  private stopWorker(w: Worker) {
    w.stopped = true;
    clearTimeout(w.timer);
  }

  /** The reported result, or undefined when the container has no such probe. */
  result(uid: string, name: string, containerId: string, kind: ProbeKind): ProbeState['result'] | undefined {
    const w = this.workers.get(this.key(uid, name, kind));
    if (!w) return undefined;
    return w.containerId === containerId ? w.state.result : kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : 'unknown';
  }

  /** Drops workers of a container (or, without a name, of the whole pod). */
  remove(uid: string, name?: string): void {
    for (const [k, w] of this.workers) {
      if (k.startsWith(name ? `${uid}/${name}/` : `${uid}/`)) {
        this.stopWorker(w);
        this.workers.delete(k);
      }
    }
  }

  stopAll(): void {
    for (const w of this.workers.values()) this.stopWorker(w);
    this.workers.clear();
  }
}
