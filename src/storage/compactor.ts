/**
 * @module Background compaction: every interval, drop history older than the newest
 * `keepRevisions` revisions, so the store stays bounded under churn while recent history
 * remains for watches that resume.
 */
import type { Backend } from './interface.ts';

export class Compactor {
  constructor(
    private readonly backend: Backend,
    private readonly opts: { keepRevisions: number; intervalMs: number },
  ) {}

  /** One pass; returns the revision compacted to, or undefined when there was nothing to do. */
  async compactOnce(): Promise<number | undefined> {
    const current = await this.backend.currentRevision();
    const target = current - this.opts.keepRevisions;
    if (target <= (await this.backend.compactRevision())) return undefined;
    await this.backend.compact(target);
    return target;
  }

  async start(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.opts.intervalMs);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        }, { once: true });
      });
      if (signal.aborted) return;
      await this.compactOnce();
    }
  }
}
