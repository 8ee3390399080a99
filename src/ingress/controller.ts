/**
 * @module The built-in ingress controller: informers on Ingress, IngressClass, Service,
 * EndpointSlice and Secret; a routing table rebuilt (coalesced) on any Ingress or class change;
 * an HTTP and an HTTPS listener (SNI) sharing one handler; status written back to the served
 * Ingresses. Endpoint and Secret changes need no rebuild: the proxy reads them from the cache
 * per request. With `workers` > 0 the proxying moves to worker processes (`workers.ts`) once
 * the caches have synced: they get the bound listeners and a snapshot of the table on every
 * change, and this process stops accepting (it serves in-process until then, and if they fail).
 */
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import type { Registry } from 'prom-client';
import type { KubeObject } from '../api/object.ts';
import type { InformerFactory } from '../client/cache/factory.ts';
import type { EventRecorder } from '../client/events/recorder.ts';
import { keyOf, refs } from '../client/refs.ts';
import type { Client } from '../client/rest.ts';
import type { Logger } from '../util/log.ts';
import { ensureIngressClass, ingressClassesRef, isServed } from './class.ts';
import { EndpointResolver } from './endpoints.ts';
import { UpstreamPool } from './http1/pool.ts';
import { Http1Server } from './http1/server.ts';
import { IngressMetrics } from './metrics.ts';
import { ingressHandler } from './proxy.ts';
import { RouteTable } from './router.ts';
import { StatusWriter } from './status.ts';
import { compileSnapshot } from './snapshot.ts';
import { CertificateStore, type CertPair } from './tls.ts';
import { IngressWorkers } from './workers.ts';

type Ing = Ingress & KubeObject;

export interface IngressControllerOptions {
  host: string;
  /** 0 picks a free port; undefined or negative disables that listener. */
  httpPort?: number;
  httpsPort?: number;
  /** The address written into Ingress status. */
  advertiseAddress: string;
  defaultCert: CertPair;
  metrics?: Registry;
  /** Worker processes that proxy (0: proxy in this process). */
  workers?: number;
}

export class IngressController {
  private table = new RouteTable([]);
  private readonly ingresses;
  private readonly classes;
  private readonly endpoints: EndpointResolver;
  private readonly certs: CertificateStore;
  private readonly metrics: IngressMetrics;
  private readonly pool = new UpstreamPool();
  private httpServer?: Http1Server;
  private httpsServer?: Http1Server;
  private status?: StatusWriter;
  private rebuildPending = false;
  private pushPending = false;
  private workers?: IngressWorkers;
  private closing = false;
  private readonly secrets;
  httpPort?: number;
  httpsPort?: number;

  constructor(
    private readonly client: Client,
    private readonly informers: InformerFactory,
    private readonly recorder: EventRecorder,
    private readonly opts: IngressControllerOptions,
    private readonly logger: Logger,
  ) {
    this.ingresses = informers.informerFor<Ing>(refs.ingresses);
    this.classes = informers.informerFor<IngressClass & KubeObject>(ingressClassesRef);
    const services = informers.informerFor<Service & KubeObject>(refs.services);
    const slices = informers.informerFor<EndpointSlice & KubeObject>(refs.endpointslices);
    const secrets = informers.informerFor<Secret & KubeObject>(refs.secrets);
    this.secrets = secrets;
    // Workers route from snapshots, so endpoint and Secret changes must reach them too.
    for (const inf of [services, slices, secrets] as { addEventHandler(h: object): void }[])
      inf.addEventHandler({ onAdd: () => this.schedulePush(), onUpdate: () => this.schedulePush(), onDelete: () => this.schedulePush() });
    this.endpoints = new EndpointResolver(services, slices);
    this.certs = new CertificateStore(secrets, opts.defaultCert, logger);
    this.metrics = new IngressMetrics(opts.metrics);
    const onIngress = (ing: Ing) => {
      this.scheduleRebuild();
      this.status?.queue.add(keyOf(ing));
    };
    this.ingresses.addEventHandler({ onAdd: onIngress, onUpdate: (_o, n) => onIngress(n), onDelete: () => this.scheduleRebuild() });
    this.classes.addEventHandler({
      onAdd: () => this.resyncAll(),
      onUpdate: () => this.resyncAll(),
      onDelete: () => this.resyncAll(),
    });
  }

  private served = (ing: Ing): boolean => isServed(ing, this.classes.store.list());

  private resyncAll(): void {
    this.scheduleRebuild();
    for (const ing of this.ingresses.store.list()) this.status?.queue.add(keyOf(ing));
  }

  /** Coalesces a burst of changes into one rebuild on the next tick. */
  private scheduleRebuild(): void {
    if (this.rebuildPending) return;
    this.rebuildPending = true;
    setImmediate(() => {
      this.rebuildPending = false;
      this.table = new RouteTable(this.ingresses.store.list().filter(this.served));
      this.schedulePush();
    });
  }

  private snapshot() {
    return compileSnapshot(this.ingresses.store.list().filter(this.served), this.table, (b) => this.endpoints.resolve(b), (t) => this.secrets.store.getByName(t.namespace, t.secretName), this.opts.defaultCert, this.httpsPort);
  }

  /** Coalesces changes into one snapshot for the workers (none while there are none). */
  private schedulePush(): void {
    if (this.pushPending || !this.workers?.current) return;
    this.pushPending = true;
    setImmediate(() => {
      this.pushPending = false;
      this.workers?.update(this.snapshot());
    });
  }

  /** After the caches synced: hands the listeners to the workers, then stops accepting here. */
  private async startWorkers(signal: AbortSignal): Promise<void> {
    const n = this.opts.workers ?? 0;
    if (n <= 0 || signal.aborted) return;
    // false when the signal ends first (the caches may never sync then).
    if (!(await this.informers.waitForSync(signal))) return;
    this.table = new RouteTable(this.ingresses.store.list().filter(this.served));
    const servers = [
      ...(this.httpServer ? [{ proto: 'http' as const, server: this.httpServer.server, owner: this.httpServer }] : []),
      ...(this.httpsServer ? [{ proto: 'https' as const, server: this.httpsServer.server, owner: this.httpsServer }] : []),
    ];
    const workers = new IngressWorkers(n, this.metrics, this.logger, () => void this.takeBack(workers, servers));
    this.workers = workers;
    try {
      await workers.start(this.snapshot(), servers);
    } catch (err) {
      this.logger.error('ingress workers not started, proxying in the server process', { err: String(err) });
      this.workers = undefined;
      await workers.stop();
      return;
    }
    if (signal.aborted) return;
    // The workers hold their own copies of the sockets; closing ours only stops this process
    // from taking a share of the connections.
    for (const s of servers) {
      s.server.close();
      s.owner.closeIdle();
    }
    this.logger.info('ingress proxying in worker processes', { workers: n });
  }

  /**
   * Every worker died: their copies of the listening sockets are closed, so bind the same ports
   * again here and proxy in this process, so the ingress keeps answering.
   */
  private async takeBack(workers: IngressWorkers, servers: { proto: 'http' | 'https'; server: Http1Server['server'] }[]): Promise<void> {
    if (this.workers !== workers || this.closing) return;
    this.workers = undefined;
    const port = (proto: 'http' | 'https') => (proto === 'http' ? this.httpPort : this.httpsPort);
    for (const s of servers) {
      try {
        await new Promise<void>((resolve, reject) => {
          s.server.once('error', reject);
          s.server.listen(port(s.proto), this.opts.host, () => {
            s.server.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        this.logger.error('cannot bind the ingress port again after the workers exited', { proto: s.proto, port: port(s.proto), err: String(err) });
      }
    }
    this.logger.error('every ingress worker exited; proxying in the server process', { workers: this.opts.workers });
  }

  /** Binds the listeners (throws on a bind failure, before anything else runs). */
  async listen(): Promise<void> {
    const bind = ({ server: srv }: Http1Server, port: number) =>
      new Promise<number>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(port, this.opts.host, () => {
          srv.off('error', reject);
          resolve((srv.address() as AddressInfo).port);
        });
      });
    const ctx = { table: () => this.table, endpoints: this.endpoints, metrics: this.metrics, pool: this.pool, httpsPort: undefined as number | undefined };
    try {
      if (this.opts.httpsPort !== undefined && this.opts.httpsPort >= 0) {
        this.httpsServer = new Http1Server('https', ingressHandler(ctx, 'https'), {
          ...this.opts.defaultCert,
          SNICallback: (name, cb) => {
            const t = this.table.tlsFor(name.toLowerCase());
            cb(null, (t && this.certs.contextFor(t)) || this.certs.defaultContext);
          },
        });
        this.httpsPort = await bind(this.httpsServer, this.opts.httpsPort);
        ctx.httpsPort = this.httpsPort;
      }
      if (this.opts.httpPort !== undefined && this.opts.httpPort >= 0) {
        this.httpServer = new Http1Server('http', ingressHandler(ctx, 'http'), undefined);
        this.httpPort = await bind(this.httpServer, this.opts.httpPort);
      }
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Ensures the IngressClass, then writes status until the signal ends. */
  async run(signal: AbortSignal): Promise<void> {
    this.status = new StatusWriter(this.client, this.ingresses, this.served, this.recorder, { address: this.opts.advertiseAddress, httpPort: this.httpPort, httpsPort: this.httpsPort }, this.logger);
    for (;;) {
      try {
        await ensureIngressClass(this.client);
        break;
      } catch (err) {
        this.logger.warn('cannot create IngressClass skiff yet', { err: String(err) });
        if (signal.aborted) return;
        await delay(1000, undefined, { signal }).catch(() => undefined);
      }
    }
    this.resyncAll();
    const workers = this.startWorkers(signal).catch((err: unknown) => this.logger.error('ingress workers failed', { err: String(err) }));
    await this.status.run(signal);
    await workers;
  }

  async close(): Promise<void> {
    this.closing = true;
    const stop = (s?: Http1Server) =>
      s ? new Promise<void>((r) => { s.server.close(() => r()); s.closeAll(); }) : Promise.resolve();
    await Promise.all([stop(this.httpServer), stop(this.httpsServer), this.workers?.stop()]);
    this.pool.destroy();
  }
}
