/**
 * @module A pod's QoS class as upstream ComputePodQOS (pkg/apis/core/helper/qos): from the
 * summed positive cpu and memory requests and limits of its containers and init containers.
 * The API server records it in `status.qosClass` at creation; the kubelet reads that (or
 * computes it) to place the pod's cgroup.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseMilli } from './quota/quantity.ts';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

type Quantities = Record<string, string | number | undefined> | undefined;

/** Only cpu and memory decide the class (upstream isSupportedQoSComputeResource). */
const qosResources = ['cpu', 'memory'] as const;

const positive = (q: string | number | undefined): bigint => {
  const v = parseMilli(q);
  return v !== undefined && v > 0n ? v : 0n;
};

export function computePodQOS(pod: Pick<Pod, 'spec'>): QOSClass {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const req = c.resources?.requests as Quantities;
    const lim = c.resources?.limits as Quantities;
    let found = 0;
    for (const r of qosResources) {
      const q = positive(req?.[r]);
      if (q > 0n) requests.set(r, (requests.get(r) ?? 0n) + q);
      const l = positive(lim?.[r]);
      if (l > 0n) {
        found++;
        limits.set(r, (limits.get(r) ?? 0n) + l);
      }
    }
    if (found < qosResources.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) for (const [r, v] of requests) if (limits.get(r) !== v) guaranteed = false;
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
