/**
 * A stand-in for nodes in controller tests that run without a scheduler or sim nodes: every
 * pod (optionally only those matching a label selector) is moved to Running and Ready with a
 * pod IP, and a pod marked for deletion is removed at once. Stops with the signal.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.ts';
import { refs } from '../../src/client/refs.ts';
import type { Client } from '../../src/client/rest.ts';

type P = Pod & KubeObject;

export function readyStatus(pod: P, now = new Date()): P['status'] {
  const t = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const cond = (type: string) => ({ type, status: 'True', lastTransitionTime: t, lastProbeTime: null });
  return {
    ...pod.status,
    phase: 'Running',
    podIP: pod.status?.podIP ?? `10.99.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`,
    startTime: pod.status?.startTime ?? t,
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(cond) as never,
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: t } },
    })),
  };
}

export async function runFakeKubelet(client: Client, signal: AbortSignal, opts: { labelSelector?: string } = {}): Promise<void> {
  const pods = client.resource<P>(refs.pods);
  const handle = async (pod: P) => {
    const ns = pod.metadata?.namespace;
    const name = pod.metadata!.name!;
    if (pod.metadata?.deletionTimestamp) {
      await pods.delete(name, { namespace: ns, gracePeriodSeconds: 0 }).catch(() => {});
      return;
    }
    if (pod.status?.phase === 'Running' || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    await pods.update({ ...pod, status: readyStatus(pod) }, 'status').catch(() => {});
  };
  while (!signal.aborted) {
    try {
      const list = await pods.list({ labelSelector: opts.labelSelector });
      for (const p of list.items) await handle(p);
      for await (const ev of pods.watch({ labelSelector: opts.labelSelector, resourceVersion: list.metadata.resourceVersion, signal })) {
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED') await handle(ev.object);
      }
    } catch {
      if (signal.aborted) return;
    }
  }
}
