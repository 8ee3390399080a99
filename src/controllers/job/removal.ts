/**
 * @module Which active pods a Job deletes when it has too many (upstream activePodsForRemoval):
 * for Indexed Jobs first pods with a repeated or invalid index, then the cheapest to lose in
 * controller.ActivePods order — unscheduled, pending, not ready, then the newest.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { podCompletionIndex } from './indexed.ts';
import { isPodReady } from './status.ts';

type P = Pod & KubeObject;

function rank(p: P): number {
  if (!p.spec?.nodeName) return 0;
  if (p.status?.phase !== 'Running') return 1;
  return isPodReady(p) ? 3 : 2;
}

/** `completions` only for Indexed Jobs. */
export function activePodsForRemoval(active: readonly P[], rmAtLeast: number, completions: number | undefined): P[] {
  const rm: P[] = [];
  let left: P[] = [...active];
  if (completions !== undefined) {
    left = [];
    const seen = new Set<number>();
    for (const p of active) {
      const i = podCompletionIndex(p, completions);
      if (i === undefined || seen.has(i)) rm.push(p);
      else {
        seen.add(i);
        left.push(p);
      }
    }
  }
  if (rm.length < rmAtLeast) {
    left.sort((a, b) => rank(a) - rank(b) || (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''));
    rm.push(...left.slice(0, rmAtLeast - rm.length));
  }
  return rm;
}
