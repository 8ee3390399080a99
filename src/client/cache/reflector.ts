/**
 * @module The reflector (client-go's cache.Reflector): list a resource, hand the items to a
 * sink, then watch from the list's resourceVersion and pass each event on. A watch that ends is
 * resumed from the last resourceVersion seen; a 410 Expired (compaction) or any other failure
 * relists after a back-off. Bookmarks only move the resourceVersion forward.
 */
import type { KubeObject } from '../../api/object.ts';
import { isExpired } from '../../machinery/status.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';
import type { ListOptions, ResourceClient } from '../rest.ts';

export interface ReflectorSink<T extends KubeObject> {
  /** The full current state after a (re)list. */
  replace(items: T[], resourceVersion: string): void;
  added(obj: T): void;
  modified(obj: T): void;
  deleted(obj: T): void;
}

export interface ReflectorOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size of the initial list (0: one request). */
  pageSize?: number;
}

const minWatchSeconds = 300;

export async function reflect<T extends KubeObject>(
  rc: ResourceClient<T>,
  opts: ReflectorOptions,
  sink: ReflectorSink<T>,
  deps: { clock: Clock; logger: Logger },
  signal: AbortSignal,
): Promise<void> {
  const base: ListOptions = { namespace: opts.namespace, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };
  let backoffMs = 100;
  while (!signal.aborted) {
    let rv: string;
    try {
      rv = await listAll(rc, base, opts.pageSize ?? 500, sink);
    } catch (err) {
      if (signal.aborted) return;
      deps.logger.warn('list failed; retrying', { resource: rc.ref.resource, err: err as Error });
      await deps.clock.sleep(backoffMs, signal).catch(() => {});
      backoffMs = Math.min(backoffMs * 2, 10_000);
      continue;
    }
    // Watch, resuming from the last resourceVersion each time the server ends a stream.
    while (!signal.aborted) {
      try {
        const timeoutSeconds = minWatchSeconds + Math.floor(Math.random() * minWatchSeconds);
        for await (const ev of rc.watch({ ...base, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds, signal })) {
          const next = ev.object.metadata?.resourceVersion;
          if (next) rv = next;
          if (ev.type === 'ADDED') sink.added(ev.object);
          else if (ev.type === 'MODIFIED') sink.modified(ev.object);
          else if (ev.type === 'DELETED') sink.deleted(ev.object);
        }
        backoffMs = 100;
      } catch (err) {
        if (signal.aborted) return;
        if (!isExpired(err)) deps.logger.warn('watch failed; relisting', { resource: rc.ref.resource, err: err as Error });
        await deps.clock.sleep(backoffMs, signal).catch(() => {});
        backoffMs = Math.min(backoffMs * 2, 10_000);
        break;
      }
    }
  }
}

async function listAll<T extends KubeObject>(rc: ResourceClient<T>, base: ListOptions, pageSize: number, sink: ReflectorSink<T>): Promise<string> {
  const items: T[] = [];
  let cont: string | undefined;
  let rv = '';
  do {
    const page = await rc.list({ ...base, limit: pageSize || undefined, continue: cont });
    items.push(...page.items);
    cont = page.metadata.continue || undefined;
    if (!rv) rv = page.metadata.resourceVersion ?? '';
  } while (cont);
  // Paged lists are served at the first page's revision, which is where the watch resumes.
  sink.replace(items, rv);
  return rv;
}
