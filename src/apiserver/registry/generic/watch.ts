/**
 * @module WATCH: the event stream for one API watch. Starts with the current state as ADDED
 * when no resourceVersion (or "0") is given, then changes after it; objects entering or
 * leaving the selector appear as ADDED/DELETED; optional bookmarks; 410 Expired as an ERROR
 * event when the requested history is gone.
 */
import type { Status } from 'kubernetes-types/meta/v1.js';
import type { KubeObject, StoredObject } from '../../../api/object.ts';
import { StatusError } from '../../../machinery/status.ts';
import { isStorageError, type WatchEvent } from '../../../storage/interface.ts';
import { buildFilter } from './filter.ts';
import { listObjects, parseResourceVersion } from './list.ts';
import type { Store } from './store.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ApiWatchEvent {
  type: WatchEventType;
  object: KubeObject | Status;
}

export interface WatchParams {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  /** How often to send a bookmark when allowed. */
  bookmarkIntervalMs?: number;
}

/** Validates parameters eagerly so errors become a plain Status response, not a stream. */
export function prepareWatch(store: Store, namespace: string, p: WatchParams): (signal: AbortSignal) => AsyncIterable<ApiWatchEvent> {
  const filter = buildFilter(store.strategy, p.labelSelector, p.fieldSelector);
  const rv = parseResourceVersion(p.resourceVersion);
  const initial = p.sendInitialEvents === true || rv === undefined || rv === 0;
  return (signal) => stream(store, namespace, p, filter, initial ? undefined : rv!, signal);
}

async function* stream(
  store: Store,
  namespace: string,
  p: WatchParams,
  filter: ReturnType<typeof buildFilter>,
  fromRv: number | undefined,
  signal: AbortSignal,
): AsyncIterable<ApiWatchEvent> {
  let after: number;
  const queue: ApiWatchEvent[] = [];
  if (fromRv === undefined) {
    const list = await listObjects(store, namespace, { labelSelector: p.labelSelector, fieldSelector: p.fieldSelector });
    after = Number(list.metadata.resourceVersion);
    for (const item of list.items) queue.push({ type: 'ADDED', object: item });
    if (p.sendInitialEvents && p.allowWatchBookmarks)
      queue.push(bookmark(store, after, { 'k8s.io/initial-events-end': 'true' }));
  } else {
    after = fromRv;
  }
  for (const e of queue) yield e;
  queue.length = 0;

  const prefix = store.codec.prefix(namespace);
  const local = new AbortController();
  const stop = () => local.abort();
  signal.addEventListener('abort', stop);
  let wake: (() => void) | undefined;
  let done = false;
  let lastRv = after;
  const pump = (async () => {
    try {
      for await (const batch of store.deps.watchCache.watch(prefix, after, local.signal)) {
        for (const ev of batch) {
          const out = translate(store, ev, filter);
          if (out) queue.push(out);
          lastRv = ev.kv.modRevision;
        }
        wake?.();
      }
    } catch (err) {
      if (isStorageError(err, 'Compacted')) {
        const compacted = await store.deps.backend.compactRevision();
        queue.push({ type: 'ERROR', object: StatusError.expired(`too old resource version: ${after} (${compacted})`).toStatus() });
      } else if (!local.signal.aborted && !isStorageError(err, 'Closed')) {
        queue.push({ type: 'ERROR', object: StatusError.internal((err as Error).message).toStatus() });
      }
    } finally {
      done = true;
      wake?.();
    }
  })();
  const timer = p.allowWatchBookmarks
    ? setInterval(() => {
        queue.push(bookmark(store, Math.max(lastRv, after)));
        wake?.();
      }, p.bookmarkIntervalMs ?? 10_000)
    : undefined;
  try {
    while (!signal.aborted) {
      if (queue.length) {
        const e = queue.shift()!;
        yield e;
        if (e.type === 'ERROR') return;
        continue;
      }
      if (done) return;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  } finally {
    if (timer) clearInterval(timer);
    signal.removeEventListener('abort', stop);
    local.abort();
    await pump;
  }
}

function bookmark(store: Store, rv: number, annotations?: Record<string, string>): ApiWatchEvent {
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (annotations) metadata.annotations = annotations;
  return { type: 'BOOKMARK', object: { apiVersion: store.codec.apiVersion, kind: store.codec.kind, metadata } };
}

/**
 * The API event a storage event becomes for one watcher. Objects and event envelopes come
 * from the codec's shared decode, so an event fanned out to many watchers is decoded once
 * (and, in http/watch.ts, serialized once); they are read-only from here on.
 */
function translate(store: Store, ev: WatchEvent, filter: ReturnType<typeof buildFilter>): ApiWatchEvent | undefined {
  const shared = store.codec.decodeShared(ev.kv);
  const cur: StoredObject = shared.object;
  const as = (type: 'ADDED' | 'MODIFIED' | 'DELETED'): ApiWatchEvent => (shared.events[type] ??= { type, object: cur });
  if (filter.everything) return as(ev.type === 'delete' ? 'DELETED' : ev.type === 'create' ? 'ADDED' : 'MODIFIED');
  const matches = filter.matches;
  if (ev.type === 'delete') return matches(cur) ? as('DELETED') : undefined;
  const nowMatch = matches(cur);
  if (ev.type === 'create') return nowMatch ? as('ADDED') : undefined;
  const prev = ev.prevKv ? store.codec.decodeShared(ev.prevKv).object : undefined;
  const prevMatch = prev ? matches(prev) : false;
  if (nowMatch && prevMatch) return as('MODIFIED');
  if (nowMatch) return as('ADDED');
  if (prevMatch) return as('DELETED');
  return undefined;
}
