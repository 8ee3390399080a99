/**
 * @module The shared informer factory: components ask it for an informer per resource (and
 * optional selector), so ten controllers watching pods share one watch and one cache.
 * `start` runs every informer requested so far; `waitForSync` waits for their first lists.
 */
import type { KubeObject } from '../../api/object.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';
import type { Client, ResourceRef } from '../rest.ts';
import { Informer } from './informer.ts';
import type { ReflectorOptions } from './reflector.ts';

export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private signal: AbortSignal | undefined;
  private readonly runs: Promise<void>[] = [];

  constructor(
    readonly client: Client,
    private readonly deps: { clock: Clock; logger: Logger },
  ) {}

  /** The shared informer for a resource; created on first request. */
  informerFor<T extends KubeObject>(ref: ResourceRef, opts: ReflectorOptions = {}): Informer<T> {
    const id = `${ref.group}/${ref.version}/${ref.resource}?${opts.namespace ?? ''}&${opts.labelSelector ?? ''}&${opts.fieldSelector ?? ''}`;
    let inf = this.informers.get(id);
    if (!inf) {
      inf = new Informer<KubeObject>(this.client.resource<KubeObject>(ref), opts, { clock: this.deps.clock, logger: this.deps.logger.child({ informer: ref.resource }) });
      this.informers.set(id, inf);
      // Informers asked for after start() run at once.
      if (this.signal) this.runs.push(inf.run(this.signal));
    }
    return inf as unknown as Informer<T>;
  }

  start(signal: AbortSignal): void {
    this.signal = signal;
    for (const inf of this.informers.values()) this.runs.push(inf.run(signal));
  }

  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const all = Promise.all([...this.informers.values()].map((i) => i.synced)).then(() => true);
    if (!signal) return all;
    if (signal.aborted) return false;
    let onAbort!: () => void;
    const aborted = new Promise<boolean>((r) => (onAbort = () => r(false)));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await Promise.race([all, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Resolves when every running informer has stopped (after the start signal aborts). */
  async stopped(): Promise<void> {
    await Promise.allSettled(this.runs);
  }
}
