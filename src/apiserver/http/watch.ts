/**
 * @module WATCH over HTTP: newline-delimited JSON events, headers flushed at once, closed after
 * timeoutSeconds. With the Table Accept header each event's object is a one-row Table, with
 * column definitions only in the first event (as upstream).
 */
import { randomInt } from 'node:crypto';
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../machinery/status.ts';
import { prepareWatch, type ApiWatchEvent } from '../registry/generic/watch.ts';
import type { ApiResponse } from '../types.ts';
import type { RequestScope } from './scope.ts';
import { includeObjectParam, toTable } from './table.ts';

const encoder = new TextEncoder();
/** The wire bytes of a shared event (see registry/generic/watch.ts), encoded once. */
const encoded = new WeakMap<ApiWatchEvent, Uint8Array>();

/**
 * Buffer.from rather than TextEncoder: less than half the cost, and these bytes live only until
 * every watcher has written them (small ones share Node's buffer pool).
 */
function encodeEvent(ev: ApiWatchEvent): Uint8Array {
  let bytes = encoded.get(ev);
  if (!bytes) encoded.set(ev, (bytes = Buffer.from(JSON.stringify(ev) + '\n', 'utf8')));
  return bytes;
}

export function watchCollection(scope: RequestScope): ApiResponse {
  const q = scope.req.query;
  const timeoutParam = q.get('timeoutSeconds');
  let timeoutSeconds: number;
  if (timeoutParam !== null && timeoutParam !== '') {
    timeoutSeconds = Number(timeoutParam);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) throw StatusError.badRequest(`invalid timeoutSeconds: ${timeoutParam}`);
  } else {
    // Upstream spreads default watch lifetimes between 30 and 60 minutes.
    timeoutSeconds = 1800 + randomInt(1800);
  }
  let fieldSelector = q.get('fieldSelector') ?? undefined;
  if (scope.info.name) {
    const byName = `metadata.name=${scope.info.name}`;
    fieldSelector = fieldSelector ? `${fieldSelector},${byName}` : byName;
  }
  const open = prepareWatch(scope.store, scope.info.namespace, {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    allowWatchBookmarks: q.get('allowWatchBookmarks') === 'true',
    sendInitialEvents: q.get('sendInitialEvents') === 'true',
  });
  const include = scope.media.table ? includeObjectParam(q.get('includeObject')) : 'Object';
  const strategy = scope.store.strategy;
  const now = () => scope.store.deps.clock.now();
  const table = scope.media.table;

  async function* body(): AsyncIterable<Uint8Array> {
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    scope.req.signal.addEventListener('abort', onAbort);
    // A caller that gave up before the body was first read (an in-process client stopping
    // right after its list): no abort event comes any more, so the stream would never end.
    if (scope.req.signal.aborted) ctl.abort();
    const timer = timeoutSeconds > 0 ? setTimeout(() => ctl.abort(), timeoutSeconds * 1000) : undefined;
    let first = true;
    try {
      for await (const ev of open(ctl.signal)) {
        if (table && (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED')) {
          const out = { type: ev.type, object: toTable(strategy, [ev.object as KubeObject], {}, include, now(), first) as never };
          first = false;
          yield encoder.encode(JSON.stringify(out) + '\n');
        } else yield encodeEvent(ev);
      }
    } finally {
      if (timer) clearTimeout(timer);
      scope.req.signal.removeEventListener('abort', onAbort);
    }
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' },
    body: body(),
  };
}
