/**
 * @module Writes `status.loadBalancer.ingress` of served Ingresses (what `kubectl get ingress`
 * shows as ADDRESS): the server's advertise address, plus the listener ports when they are not
 * the standard 80/443 so a client can find them. Queue of keys, re-read from the cache, as a
 * controller would; a conflict or error is retried with back-off.
 */
import type { Ingress, IngressLoadBalancerIngress } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import type { EventRecorder } from '../client/events/recorder.ts';
import type { Client } from '../client/rest.ts';
import { refs } from '../client/refs.ts';
import { WorkQueue } from '../client/workqueue/queue.ts';
import { isNotFound } from '../machinery/status.ts';
import type { Logger } from '../util/log.ts';

type Ing = Ingress & KubeObject;

export interface StatusOptions {
  address: string;
  httpPort?: number;
  httpsPort?: number;
}

export function desiredStatus(o: StatusOptions): IngressLoadBalancerIngress[] {
  const ports = [o.httpPort, o.httpsPort].filter((p): p is number => p !== undefined);
  const standard = ports.every((p) => p === 80 || p === 443);
  return [standard ? { ip: o.address } : { ip: o.address, ports: ports.map((port) => ({ port, protocol: 'TCP' as const })) }];
}

export class StatusWriter {
  readonly queue = new WorkQueue<string>();

  constructor(
    private readonly client: Client,
    private readonly ingresses: Informer<Ing>,
    private readonly served: (ing: Ing) => boolean,
    private readonly recorder: EventRecorder,
    private readonly opts: StatusOptions,
    private readonly logger: Logger,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await this.ingresses.synced;
    for (;;) {
      const key = await this.queue.get(signal);
      if (key === undefined) return;
      try {
        await this.sync(key);
        this.queue.forget(key);
      } catch (err) {
        if (!isNotFound(err)) {
          this.logger.debug('ingress status update failed, retrying', { ingress: key, err: String(err) });
          this.queue.addRateLimited(key);
        }
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async sync(key: string): Promise<void> {
    const ing = this.ingresses.store.get(key);
    if (!ing || !this.served(ing)) return;
    const want = desiredStatus(this.opts);
    if (JSON.stringify(ing.status?.loadBalancer?.ingress ?? []) === JSON.stringify(want)) return;
    const first = !(ing.status?.loadBalancer?.ingress ?? []).length;
    await this.client.resource<Ing>(refs.ingresses).update({ ...ing, status: { loadBalancer: { ingress: want } } }, 'status');
    // ingress-nginx's event when it takes an Ingress on.
    if (first) this.recorder.event({ ...ing, apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' }, 'Normal', 'Sync', 'Scheduled for sync');
  }
}
