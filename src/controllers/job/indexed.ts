/**
 * @module Indexed Jobs (upstream indexed_job_utils.go): the completion index of a pod, the
 * `status.completedIndexes` interval string ("1,3-5"), and which indexes still need a pod.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';

export const completionIndexKey = 'batch.kubernetes.io/job-completion-index';

/** The pod's index from its annotation (the label is informative only), or undefined. */
export function podCompletionIndex(pod: Pod & KubeObject, completions: number): number | undefined {
  const v = pod.metadata?.annotations?.[completionIndexKey];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n < completions ? n : undefined;
}

/** Parses "1,3-5" into a sorted list of indexes below `completions` (bad parts are skipped). */
export function parseIndexes(s: string | undefined, completions: number): number[] {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = Math.min(m[2] === undefined ? lo : Number(m[2]), completions - 1);
    for (let i = lo; i <= hi; i++) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

/** Formats indexes as upstream's interval list: consecutive runs become "a-b". */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The lowest `count` indexes that are neither completed nor held by an active pod. */
export function firstPendingIndexes(completions: number, completed: ReadonlySet<number>, active: ReadonlySet<number>, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!completed.has(i) && !active.has(i)) out.push(i);
  return out;
}
