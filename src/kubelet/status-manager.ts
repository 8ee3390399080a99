/**
 * @module The kubelet's status manager: writes a pod's computed status to the API only when it
 * differs from what was last written or what the API holds (ignoring nothing the user could
 * see), and deletes a finished pod object with grace 0 (uid precondition) once the worker has
 * stopped everything, as upstream's status manager does after termination.
 */
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { refs } from '../client/refs.ts';
import type { Client } from '../client/rest.ts';
import { isNotFound } from '../machinery/status.ts';

type P = Pod & KubeObject;

/** JSON with sorted keys, so equal statuses compare equal whatever their key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)))
      : val,
  );
}

export class StatusManager {
  private readonly written = new Map<string, string>();
  /** Sees every status the kubelet computes (the pod start metrics). */
  onStatus?: (pod: P, status: PodStatus) => void;

  constructor(private readonly client: Client) {}

  /** Writes status for the pod if it changed; returns whether a write happened. */
  async setStatus(pod: P, status: PodStatus): Promise<boolean> {
    this.onStatus?.(pod, status);
    const uid = pod.metadata?.uid ?? '';
    const want = canonical(status);
    if (this.written.get(uid) === want && canonical(pod.status) === want) return false;
    if (canonical(pod.status) === want) {
      this.written.set(uid, want);
      return false;
    }
    const pods = this.client.resource<P>(refs.pods);
    const ns = pod.metadata?.namespace;
    const name = pod.metadata?.name ?? '';
    // Merge patch replaces the lists (conditions, containerStatuses) as a whole, which is what we computed.
    const nulls = Object.fromEntries(Object.keys(pod.status ?? {}).filter((k) => !(k in status)).map((k) => [k, null]));
    await pods.patch(name, 'merge', { metadata: { uid }, status: { ...nulls, ...status } }, { namespace: ns, subresource: 'status' });
    this.written.set(uid, want);
    return true;
  }

  /** Deletes the pod object now that nothing of it runs any more. */
  async deletePod(pod: P): Promise<void> {
    try {
      await this.client.resource<P>(refs.pods).delete(pod.metadata?.name ?? '', { namespace: pod.metadata?.namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  forget(uid: string): void {
    this.written.delete(uid);
  }
}
