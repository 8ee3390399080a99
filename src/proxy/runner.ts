/**
 * @module The service proxy's sync loop (upstream kube-proxy's BoundedFrequencyRunner around
 * syncProxyRules): informers on Services, EndpointSlices and this proxy's Node mark the state
 * dirty; one loop recomputes the whole table and hands it to the backend, at most once per
 * `minSyncIntervalMs` (so a burst of changes is one sync, and a single change still applies
 * within that interval), retrying failures with exponential backoff.
 */
import type { Registry } from 'prom-client';
import { InformerFactory } from '../client/cache/factory.ts';
import { keyOf, refs } from '../client/refs.ts';
import type { Client } from '../client/rest.ts';
import { realClock, type Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { computeTable, type ProxyNode, type ProxyService, type ProxySlice } from './desired.ts';
import { ProxyMetrics } from './metrics.ts';
import type { ProxyBackend } from './model.ts';

export interface ServiceProxyOptions {
  client: Client;
  nodeName: string;
  backend: ProxyBackend;
  logger: Logger;
  clock?: Clock;
  /** Least time between two syncs (default 50 ms). */
  minSyncIntervalMs?: number;
  registry?: Registry;
}

export interface ServiceProxyHandle {
  readonly backend: string;
  /** Resolves after the first successful sync. */
  synced(): Promise<void>;
  /** When the last successful sync ended (ms since the epoch) and how many Services it programmed. */
  lastSync(): { at: number; services: number } | undefined;
  /** Stops the loop and the informers, then removes the backend's state (`backend.close()`). */
  stop(): Promise<void>;
}

/** Set by the EndpointSlice controller upstream; when absent the proxy's own observation time counts. */
const triggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';
/** A failed sync is retried quickly: a transient failure must not hold back changes for long. */
const maxBackoffMs = 5_000;

export function startServiceProxy(o: ServiceProxyOptions, signal: AbortSignal): ServiceProxyHandle {
  const clock = o.clock ?? realClock;
  const logger = o.logger.child({ component: 'service-proxy', backend: o.backend.name });
  const minInterval = o.minSyncIntervalMs ?? 50;
  const metrics = new ProxyMetrics(o.registry);
  const stopper = new AbortController();
  const onAbort = () => stopper.abort(signal.reason);
  if (signal.aborted) stopper.abort(signal.reason);
  else signal.addEventListener('abort', onAbort, { once: true });
  const sig = stopper.signal;

  const informers = new InformerFactory(o.client, { clock, logger });
  const services = informers.informerFor<ProxyService>(refs.services);
  const slices = informers.informerFor<ProxySlice>(refs.endpointslices);
  const nodes = informers.informerFor<ProxyNode>(refs.nodes, { fieldSelector: `metadata.name=${o.nodeName}` });

  let dirty = true;
  let wake: (() => void) | undefined;
  const markDirty = () => {
    dirty = true;
    wake?.();
  };
  // Earliest unapplied change per EndpointSlice, for the network programming latency.
  const pending = new Map<string, number>();
  const sliceChanged = (s: ProxySlice) => {
    const key = keyOf(s);
    const annotated = Date.parse(s.metadata?.annotations?.[triggerTimeAnnotation] ?? '');
    const at = Number.isFinite(annotated) ? annotated : clock.now().getTime();
    if (!pending.has(key)) pending.set(key, at);
    markDirty();
  };
  const serviceChanged = () => {
    metrics.serviceChanges.inc();
    markDirty();
  };
  services.addEventHandler({ onAdd: serviceChanged, onUpdate: serviceChanged, onDelete: serviceChanged });
  slices.addEventHandler({ onAdd: sliceChanged, onUpdate: (_old, s) => sliceChanged(s), onDelete: sliceChanged });
  nodes.addEventHandler({ onAdd: markDirty, onUpdate: markDirty, onDelete: markDirty });

  let last: { at: number; services: number } | undefined;
  let resolveSynced!: () => void;
  let rejectSynced!: (err: unknown) => void;
  const synced = new Promise<void>((res, rej) => ((resolveSynced = res), (rejectSynced = rej)));
  synced.catch(() => undefined);

  const sleep = (ms: number) => clock.sleep(ms, sig).then(() => true, () => false);

  async function syncOnce(): Promise<void> {
    const started = clock.now().getTime();
    const triggers = [...pending.values()];
    pending.clear();
    try {
      const table = computeTable(o.nodeName, nodes.store.getByName(undefined, o.nodeName), services.store.list(), slices.store.list());
      await o.backend.sync(table);
      const ended = clock.now().getTime();
      metrics.syncDuration.observe((ended - started) / 1000);
      metrics.lastSync.set(ended / 1000);
      for (const t of triggers) metrics.networkProgramming.observe(Math.max(0, ended - t) / 1000);
      last = { at: ended, services: new Set(table.services.map((s) => `${s.namespace}/${s.name}`)).size };
      resolveSynced();
    } catch (err) {
      // Put the triggers back so their latency is measured when a retry succeeds.
      for (const t of triggers) pending.set(`retry/${t}`, t);
      throw err;
    }
  }

  async function loop(): Promise<void> {
    if (!(await informers.waitForSync(sig))) return;
    let backoff = 100;
    let lastStart = 0;
    while (!sig.aborted) {
      if (!dirty) {
        let onStop!: () => void;
        await new Promise<void>((res) => {
          wake = res;
          onStop = () => res();
          sig.addEventListener('abort', onStop, { once: true });
        });
        // One listener per wait would pile up on the signal over thousands of syncs.
        sig.removeEventListener('abort', onStop);
        wake = undefined;
        if (sig.aborted) return;
      }
      const wait = lastStart + minInterval - clock.now().getTime();
      if (wait > 0 && !(await sleep(wait))) return;
      dirty = false;
      lastStart = clock.now().getTime();
      try {
        await syncOnce();
        backoff = 100;
      } catch (err) {
        logger.error('service proxy sync failed', { error: err instanceof Error ? err.message : String(err), retryInMs: backoff });
        dirty = true;
        if (!(await sleep(backoff))) return;
        backoff = Math.min(backoff * 2, maxBackoffMs);
      }
    }
  }

  informers.start(sig);
  const running = loop().catch((err: unknown) => logger.error('service proxy loop ended', { error: String(err) }));
  let stopping: Promise<void> | undefined;

  return {
    backend: o.backend.name,
    synced: () => synced,
    lastSync: () => last,
    stop: () =>
      (stopping ??= (async () => {
        signal.removeEventListener('abort', onAbort);
        stopper.abort(new Error('service proxy stopped'));
        rejectSynced(new Error('service proxy stopped before its first sync'));
        await running;
        await informers.stopped();
        await o.backend.close();
      })()),
  };
}
