/**
 * @module Probe result bookkeeping as upstream's prober worker does it: a result is only
 * reported after `successThreshold` consecutive successes or `failureThreshold` consecutive
 * failures; before that the previous reported result stands. Initial results: readiness
 * Failure (not ready until proven), liveness Success, startup Unknown. After a liveness or
 * startup failure is reported the worker holds until the container is replaced.
 */
export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export type Result = 'success' | 'failure' | 'unknown';

export class ProbeState {
  result: Result;
  private last: Result | undefined;
  private run = 0;
  onHold = false;

  constructor(
    readonly kind: ProbeKind,
    private readonly successThreshold: number,
    private readonly failureThreshold: number,
  ) {
    this.result = kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : 'unknown';
  }

  /** Feeds one attempt; returns true when the reported result changed. */
  observe(ok: boolean): boolean {
    const r: Result = ok ? 'success' : 'failure';
    if (this.last === r) this.run++;
    else {
      this.last = r;
      this.run = 1;
    }
    if ((r === 'failure' && this.run < this.failureThreshold) || (r === 'success' && this.run < this.successThreshold)) return false;
    const changed = this.result !== r;
    this.result = r;
    if (r === 'failure' && this.kind !== 'readiness') {
      this.onHold = true;
      this.run = 0;
    }
    return changed;
  }
}
