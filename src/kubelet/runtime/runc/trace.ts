/**
 * @module Cheap in-process counters for the runc runtime: how many host tools it spawned (by
 * binary) and how long each phase of pod start took (count, total and max wall ms). Always on
 * (a Map update per call); read by `bench/pods.ts` to show where a burst of pods spends its time.
 */

export interface PhaseStat {
  count: number;
  totalMs: number;
  maxMs: number;
  /** performance.now() of the first start and the last end: when the phase ran in the burst. */
  firstAt: number;
  lastAt: number;
}

const spawns = new Map<string, number>();
const phases = new Map<string, PhaseStat>();

export function countSpawn(file: string): void {
  const name = file.slice(file.lastIndexOf('/') + 1);
  spawns.set(name, (spawns.get(name) ?? 0) + 1);
}

export function recordPhase(name: string, ms: number): void {
  const now = performance.now();
  const p = phases.get(name) ?? { count: 0, totalMs: 0, maxMs: 0, firstAt: now - ms, lastAt: now };
  p.lastAt = now;
  p.count++;
  p.totalMs += ms;
  p.maxMs = Math.max(p.maxMs, ms);
  phases.set(name, p);
}

/** Runs `fn` and records its wall time under `name` (also when it throws). */
export async function timed<R>(name: string, fn: () => Promise<R>): Promise<R> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    recordPhase(name, performance.now() - t0);
  }
}

export function runcTrace(): { spawns: Record<string, number>; phases: Record<string, PhaseStat> } {
  return { spawns: Object.fromEntries(spawns), phases: Object.fromEntries([...phases].map(([k, v]) => [k, { ...v }])) };
}

export function resetRuncTrace(): void {
  spawns.clear();
  phases.clear();
}
