/**
 * @module What every controller is built from: a context (client, shared informers, event
 * recorder, clock, logger), a work queue of keys, and workers that call `reconcile(key)`.
 * A thrown error is a rate-limited retry; a TerminalError is logged and dropped; a result with
 * `requeueAfter` comes back after that delay (controller-runtime's reconcile.Result).
 */
import type { EventRecorder } from '../../client/events/recorder.ts';
import type { InformerFactory } from '../../client/cache/factory.ts';
import type { Client } from '../../client/rest.ts';
import { WorkQueue, type RateLimit } from '../../client/workqueue/queue.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';

export interface ControllerContext {
  client: Client;
  informers: InformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
  /** Options a test or the server's flags tune (periods, grace times). */
  options?: Record<string, number | string | boolean>;
}

export class TerminalError extends Error {
  override name = 'TerminalError';
}

export interface ReconcileResult {
  requeueAfterMs?: number;
}

export interface Controller {
  /** The name that never changes, e.g. `replicaset-controller`. */
  readonly name: string;
  /** Runs until the signal aborts (informers are started by the caller). */
  run(signal: AbortSignal): Promise<void>;
}

export interface QueueRunnerOptions {
  workers?: number;
  rateLimit?: RateLimit;
}

/**
 * A queue plus workers around one reconcile function: the common body of a controller.
 * Enqueue keys from informer handlers; `run` waits for the informers' first sync, then works.
 */
export class QueueRunner {
  readonly queue: WorkQueue<string>;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly name: string,
    private readonly reconcile: (key: string) => Promise<ReconcileResult | void>,
    private readonly opts: QueueRunnerOptions = {},
  ) {
    this.queue = new WorkQueue<string>(opts.rateLimit);
  }

  enqueue = (key: string): void => this.queue.add(key);

  async run(signal: AbortSignal): Promise<void> {
    const log = this.ctx.logger;
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    const onAbort = () => this.queue.shutDown();
    signal.addEventListener('abort', onAbort, { once: true });
    const worker = async () => {
      for (;;) {
        const key = await this.queue.get(signal);
        if (key === undefined) return;
        try {
          const res = await this.reconcile(key);
          this.queue.forget(key);
          if (res?.requeueAfterMs !== undefined) this.queue.addAfter(key, res.requeueAfterMs);
        } catch (err) {
          if (signal.aborted) return;
          if (err instanceof TerminalError) {
            log.error('reconcile failed for good', { controller: this.name, key, err });
            this.queue.forget(key);
          } else {
            log.debug('reconcile failed; retrying', { controller: this.name, key, err: err as Error });
            this.queue.addRateLimited(key);
          }
        } finally {
          this.queue.done(key);
        }
      }
    };
    await Promise.all(Array.from({ length: this.opts.workers ?? 2 }, worker));
    signal.removeEventListener('abort', onAbort);
  }
}
