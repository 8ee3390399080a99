/**
 * @module The namespace controller ("namespace-controller"): when a namespace is being deleted,
 * delete everything in it, wait until it is all gone (finalizers and graceful deletion may hold
 * objects), then remove the `kubernetes` finalizer through `namespaces/NAME/finalize` so the
 * namespace itself goes. Level-triggered: each pass re-reads the world.
 */
import type { Namespace } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { builtinResources, type ResourceInfo } from '../machinery/resources.ts';
import { isNotFound, isStatusError } from '../machinery/status.ts';
import type { Client } from '../client/rest.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';

export const controllerName = 'namespace-controller';

/** One served version per stored resource, namespaced and deletable. */
function contentResources(resources: readonly ResourceInfo[]): ResourceInfo[] {
  const seen = new Set<string>();
  const out: ResourceInfo[] = [];
  for (const r of resources) {
    if (!r.namespaced || !r.verbs.includes('deletecollection') || !r.verbs.includes('list')) continue;
    // events.k8s.io events are core events in storage; autoscaling/v1 HPAs are v2 HPAs.
    const storageId = r.group === 'events.k8s.io' ? '/events' : `${r.group}/${r.resource}`;
    if (seen.has(storageId)) continue;
    seen.add(storageId);
    out.push(r);
  }
  return out;
}

export class NamespaceController {
  readonly name = controllerName;
  private readonly contents: ResourceInfo[];

  constructor(
    private readonly client: Client,
    private readonly clock: Clock,
    private readonly log: Logger,
    resources: readonly ResourceInfo[] = builtinResources,
  ) {
    this.contents = contentResources(resources);
  }

  /** Returns true when the namespace is finished (gone or not being deleted). */
  async reconcile(name: string): Promise<boolean> {
    const nsClient = this.client.resource<Namespace & KubeObject>({ group: '', version: 'v1', resource: 'namespaces', namespaced: false });
    let ns: Namespace & KubeObject;
    try {
      ns = await nsClient.get(name);
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
    if (!ns.metadata?.deletionTimestamp) return true;
    let remaining = 0;
    for (const r of this.contents) {
      const rc = this.client.resource(r);
      try {
        await rc.deleteCollection({ namespace: name });
        remaining += (await rc.list({ namespace: name, limit: 1 })).items.length;
      } catch (err) {
        if (!(isStatusError(err) && (err.code === 404 || err.code === 405))) throw err;
      }
    }
    if (remaining > 0) return false;
    const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== 'kubernetes');
    if ((ns.spec?.finalizers ?? []).length !== finalizers.length)
      await nsClient.update({ ...ns, spec: { ...ns.spec, finalizers } } as Namespace & KubeObject, 'finalize');
    this.log.info('namespace finalized', { namespace: name });
    return true;
  }

  /** Watches namespaces and reconciles terminating ones until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const nsClient = this.client.resource<Namespace & KubeObject>({ group: '', version: 'v1', resource: 'namespaces', namespaced: false });
    const pending = new Set<string>();
    let wake: (() => void) | undefined;
    const enqueue = (name: string) => {
      pending.add(name);
      wake?.();
    };
    const watching = (async () => {
      while (!signal.aborted) {
        try {
          const list = await nsClient.list();
          for (const ns of list.items) if (ns.metadata?.deletionTimestamp) enqueue(ns.metadata.name!);
          for await (const ev of nsClient.watch({ resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true, signal })) {
            if (ev.type !== 'BOOKMARK' && ev.object.metadata?.deletionTimestamp) enqueue(ev.object.metadata.name!);
          }
        } catch (err) {
          if (signal.aborted) return;
          this.log.warn('namespace watch failed; relisting', { err: err as Error });
          await this.clock.sleep(500, signal).catch(() => {});
        }
      }
    })();
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        if (pending.size === 0) {
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
          continue;
        }
        const names = [...pending];
        pending.clear();
        let retry = false;
        for (const name of names) {
          try {
            if (!(await this.reconcile(name))) {
              pending.add(name);
              retry = true;
            }
          } catch (err) {
            if (signal.aborted) break;
            this.log.warn('namespace reconcile failed', { namespace: name, err: err as Error });
            pending.add(name);
            retry = true;
          }
        }
        // Objects still held by finalizers or grace periods: look again shortly.
        if (retry) await this.clock.sleep(250, signal).catch(() => {});
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      await watching;
    }
  }
}
