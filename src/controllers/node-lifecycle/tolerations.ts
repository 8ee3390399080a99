/**
 * @module Toleration matching for NoExecute taints (core/v1 helper ToleratesTaint and the
 * taint eviction controller's getMinTolerationTime): whether a pod must go now, after a
 * delay, or may stay.
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

export function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (!tol.key) return tol.operator === 'Exists';
  if (tol.key !== taint.key) return false;
  if (tol.operator === 'Exists') return true;
  return (tol.operator ?? 'Equal') === 'Equal' && (tol.value ?? '') === (taint.value ?? '');
}

export type Eviction = { type: 'now' } | { type: 'after'; ms: number } | { type: 'never' };

/** What NoExecute taints mean for a pod with these tolerations. */
export function evictionFor(taints: readonly Taint[], tolerations: readonly Toleration[]): Eviction {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return { type: 'never' };
  const used: Toleration[] = [];
  for (const taint of noExecute) {
    // The first toleration that matches is the one used, as upstream GetMatchingTolerations.
    const tol = tolerations.find((t) => tolerates(t, taint));
    if (!tol) return { type: 'now' };
    used.push(tol);
  }
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return { type: 'now' };
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? { type: 'never' } : { type: 'after', ms: min * 1000 };
}
