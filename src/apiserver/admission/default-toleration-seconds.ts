/**
 * @module DefaultTolerationSeconds admission (upstream plugin/pkg/admission/
 * defaulttolerationseconds): a pod being created that does not already tolerate the
 * `node.kubernetes.io/not-ready` and `node.kubernetes.io/unreachable` NoExecute taints gets a
 * toleration for each with `tolerationSeconds` (300 by default), so it survives a short node
 * outage and is then evicted by the taint eviction controller.
 */
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import type { AdmissionPlugin } from './interface.ts';
import { resourceIn } from './interface.ts';

export const notReadyTaintKey = 'node.kubernetes.io/not-ready';
export const unreachableTaintKey = 'node.kubernetes.io/unreachable';

/** As upstream: a toleration with this key (or no key) and effect NoExecute (or none) counts. */
function toleratesKey(tolerations: readonly Toleration[], key: string): boolean {
  return tolerations.some((t) => (t.effect === 'NoExecute' || !t.effect) && (t.key === key || !t.key));
}

export function defaultTolerationSeconds(opts: { notReadySeconds?: number; unreachableSeconds?: number } = {}): AdmissionPlugin {
  const notReady = opts.notReadySeconds ?? 300;
  const unreachable = opts.unreachableSeconds ?? 300;
  return {
    name: 'DefaultTolerationSeconds',
    handles: (r) => resourceIn(r, '', 'pods'),
    async mutate(a) {
      if (a.operation !== 'CREATE' || a.subresource || a.resource.group !== '' || a.resource.resource !== 'pods' || !a.object) return;
      const pod = a.object as Pod;
      const spec = (pod.spec ??= { containers: [] });
      const tolerations = spec.tolerations ?? [];
      const added: Toleration[] = [];
      if (!toleratesKey(tolerations, notReadyTaintKey))
        added.push({ key: notReadyTaintKey, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: notReady });
      if (!toleratesKey(tolerations, unreachableTaintKey))
        added.push({ key: unreachableTaintKey, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: unreachable });
      if (added.length) spec.tolerations = [...tolerations, ...added];
    },
  };
}
