/**
 * @module The metrics server (what kubernetes-sigs/metrics-server does, built in): every
 * resolution (default 15 s) it collects usage of every Node — from an in-process UsageSource
 * that serves the node (simulated nodes) or by scraping the kubelet — keeps the latest two
 * points, and answers NodeMetrics/PodMetrics (labelled from its node and pod informers) as
 * the `metrics.k8s.io` provider the API server is given.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { InformerFactory } from '../client/cache/factory.ts';
import type { Informer } from '../client/cache/informer.ts';
import { refs } from '../client/refs.ts';
import type { Client } from '../client/rest.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { cpuQuantity, goDuration, memoryQuantity } from './quantity.ts';
import { scrapeKubelet, type KubeletTls } from './scrape.ts';
import { MetricsStorage, type Usage } from './storage.ts';
import type { NodeMetricsObject, PodMetricsObject } from './objects.ts';
import type { NodePoint, UsageSource } from './types.ts';

export interface MetricsServerOptions {
  client: Client;
  clock: Clock;
  logger: Logger;
  /** `--metric-resolution` in ms (default 15 000). */
  resolutionMs?: number;
  /** In-process sources, tried by node name before scraping. */
  sources?: UsageSource[];
  /** The API server's kubelet-client credentials; without them only in-process sources are read. */
  kubeletTls?: KubeletTls;
  /** Which kubelet addresses may be dialled (the API server's --kubelet address policy). */
  addressAllowed?: (host: string) => boolean;
  /** Concurrent scrapes (default 64). */
  concurrency?: number;
}

type N = Node & KubeObject;
type P = Pod & KubeObject;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export class MetricsServer {
  private readonly informers: InformerFactory;
  private readonly nodes: Informer<N>;
  private readonly pods: Informer<P>;
  private readonly storage: MetricsStorage;
  private readonly resolutionMs: number;

  constructor(private readonly o: MetricsServerOptions) {
    this.resolutionMs = o.resolutionMs ?? 15_000;
    this.storage = new MetricsStorage(this.resolutionMs);
    this.informers = new InformerFactory(o.client, { clock: o.clock, logger: o.logger });
    this.nodes = this.informers.informerFor<N>(refs.nodes);
    this.pods = this.informers.informerFor<P>(refs.pods);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.informers.start(signal);
    if (await this.informers.waitForSync(signal)) {
      while (!signal.aborted) {
        const started = Date.now();
        await this.collect(signal).catch((err: unknown) => this.o.logger.warn('metrics collection failed', { err: (err as Error).message }));
        await this.o.clock.sleep(Math.max(0, this.resolutionMs - (Date.now() - started)), signal).catch(() => {});
      }
    }
    await this.informers.stopped();
  }

  /** One collection pass over every node; exported for tests through run(). */
  async collect(signal?: AbortSignal): Promise<void> {
    const inProcess = new Map<string, UsageSource>();
    for (const s of this.o.sources ?? []) for (const n of s.nodeNames()) inProcess.set(n, s);
    const nodes = this.nodes.store.list();
    const points: NodePoint[] = [];
    const limit = this.o.concurrency ?? 64;
    for (let i = 0; i < nodes.length; i += limit) {
      const batch = await Promise.all(nodes.slice(i, i + limit).map((n) => this.collectNode(n, inProcess, signal)));
      for (const p of batch) if (p) points.push(p);
    }
    this.storage.store(points);
  }

  private async collectNode(node: N, inProcess: Map<string, UsageSource>, signal?: AbortSignal): Promise<NodePoint | undefined> {
    const name = node.metadata?.name ?? '';
    try {
      const src = inProcess.get(name);
      if (src) return await src.usage(name);
      if (!this.o.kubeletTls) return undefined;
      const host = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
      if (host && this.o.addressAllowed && !this.o.addressAllowed(host)) return undefined;
      return await scrapeKubelet(node, this.o.kubeletTls, Math.min(10_000, Math.max(1000, this.resolutionMs)), signal);
    } catch (err) {
      if (!signal?.aborted) this.o.logger.debug('failed to scrape node', { node: name, err: (err as Error).message });
      return undefined;
    }
  }

  nodeMetrics(): NodeMetricsObject[] {
    const out: NodeMetricsObject[] = [];
    const now = iso(this.o.clock.now().getTime());
    for (const [name, u] of this.storage.nodeUsage()) {
      const node = this.nodes.store.get(name);
      if (!node) continue;
      out.push({ metadata: { name, labels: { ...node.metadata?.labels }, creationTimestamp: now }, timestamp: iso(u.timestamp), window: goDuration(u.windowMs), usage: usage(u) });
    }
    return out;
  }

  podMetrics(namespace: string): PodMetricsObject[] {
    const out: PodMetricsObject[] = [];
    const now = iso(this.o.clock.now().getTime());
    for (const p of this.storage.podUsage()) {
      if (namespace && p.namespace !== namespace) continue;
      const pod = this.pods.store.getByName(p.namespace, p.name);
      if (!pod) continue;
      out.push({
        metadata: { name: p.name, namespace: p.namespace, labels: { ...pod.metadata?.labels }, creationTimestamp: now },
        timestamp: iso(p.timestamp),
        window: goDuration(p.windowMs),
        containers: p.containers.map((c) => ({ name: c.name, usage: usage(c.usage) })),
      });
    }
    return out;
  }
}

const usage = (u: Usage) => ({ cpu: cpuQuantity(u.cpuNanocores), memory: memoryQuantity(u.memoryBytes) });
