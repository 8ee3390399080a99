/**
 * @module host-gw pod routing (flannel's host-gw backend, done by hand): a node component that
 * watches Nodes and keeps, in its own network namespace, one route per other node —
 * `<its spec.podCIDR> via <its InternalIP> proto 147` — so pods on different nodes reach each
 * other without encapsulation or NAT (all nodes share one L2 segment). Routes with our tag that
 * no Node wants any more (a deleted node, a changed address) are removed. Stopping leaves the
 * routes in place, as a restarting agent must not cut running pods off; `cleanup()` removes them.
 */
import { isIPv4 } from 'node:net';
import type { Node } from 'kubernetes-types/core/v1.js';
import { podCIDRsOf, podGatewayOf } from '../api/node.ts';
import type { KubeObject } from '../api/object.ts';
import { InformerFactory } from '../client/cache/factory.ts';
import { refs } from '../client/refs.ts';
import type { Client } from '../client/rest.ts';
import { realClock } from '../util/clock.ts';
import { isIPv4Cidr } from '../util/ipv4.ts';
import type { Logger } from '../util/log.ts';
import { deleteRoute, isLocalAddress, listOwnedRoutes, normalizeCidr, replaceRoute, SKIFF_ROUTE_PROTO, type Route } from './routes.ts';

type N = Node & KubeObject;

export interface HostGwOptions {
  client: Client;
  /** This node: it gets no route to its own podCIDR (that is on its bridge). */
  nodeName: string;
  logger: Logger;
  /** Full re-check period, repairing routes someone else removed (default 30 s). */
  resyncMs?: number;
  /** Route protocol tag (default 147). */
  proto?: number;
}

export interface HostGwRoutes {
  /** Resolves after the first successful reconcile (all current nodes routed). */
  synced: Promise<void>;
  /** Resolves when the watch has stopped (the signal aborted). */
  done: Promise<void>;
  /** Removes every route carrying our tag (uninstall, test clean-up). */
  cleanup(): Promise<void>;
}

/**
 * The routes this node wants: every other node with an IPv4 podCIDR and InternalIP, preferring
 * `src` (this node's pod-network address, once its bridge holds it) as the source.
 */
export function desiredRoutes(nodes: N[], self: string, src?: string): Route[] {
  const out: Route[] = [];
  for (const n of nodes) {
    if (n.metadata?.name === self || n.metadata?.deletionTimestamp) continue;
    const via = n.status?.addresses?.find((a) => a.type === 'InternalIP' && isIPv4(a.address))?.address;
    const cidrs = podCIDRsOf(n).filter(isIPv4Cidr);
    // Loopback is never a next hop: such a node is the server's own, not reachable over the wire.
    if (!via || via.startsWith('127.')) continue;
    for (const dst of cidrs) out.push({ dst, via, ...(src ? { src } : {}) });
  }
  return out.sort((a, b) => a.dst.localeCompare(b.dst));
}

/** What to change so the owned routes equal the wanted ones. */
export function planRoutes(want: Route[], have: Route[]): { add: Route[]; remove: Route[] } {
  const key = (r: Route) => `${normalizeCidr(r.dst)} ${r.via} ${r.src ?? ''}`;
  const wanted = new Set(want.map(key));
  const present = new Set(have.map(key));
  return { add: want.filter((r) => !present.has(key(r))), remove: have.filter((r) => !wanted.has(key(r))) };
}

export function startHostGwRoutes(o: HostGwOptions, signal: AbortSignal): HostGwRoutes {
  const proto = o.proto ?? SKIFF_ROUTE_PROTO;
  const log = o.logger.child({ component: 'podnet-host-gw' });
  const factory = new InformerFactory(o.client, { clock: realClock, logger: log });
  const informer = factory.informerFor<N>(refs.nodes);
  let markSynced!: () => void;
  const synced = new Promise<void>((r) => (markSynced = r));
  let dirty = true;
  let wake: (() => void) | undefined;
  const trigger = () => {
    dirty = true;
    wake?.();
  };
  informer.addEventHandler({ onAdd: trigger, onUpdate: trigger, onDelete: trigger });

  /** Reconciles; false while this node's bridge does not hold its pod-network address yet. */
  const reconcile = async (): Promise<boolean> => {
    const nodes = informer.store.list();
    const gateway = podGatewayOf(nodes.find((n) => n.metadata?.name === o.nodeName));
    const src = gateway && (await isLocalAddress(gateway)) ? gateway : undefined;
    const want = desiredRoutes(nodes, o.nodeName, src);
    const { add, remove } = planRoutes(want, await listOwnedRoutes(proto));
    // `replace` also moves a CIDR to a new next hop or source in one step.
    for (const r of add) {
      await replaceRoute(r, proto);
      log.info('routed pod CIDR', { dst: r.dst, via: r.via, ...(r.src ? { src: r.src } : {}) });
    }
    const replaced = new Set(add.map((r) => normalizeCidr(r.dst)));
    for (const r of remove) {
      if (replaced.has(normalizeCidr(r.dst))) continue;
      await deleteRoute(r, proto);
      log.info('removed pod route', { dst: r.dst, via: r.via });
    }
    return gateway === undefined || src !== undefined;
  };

  const loop = async (): Promise<void> => {
    factory.start(signal);
    await Promise.race([informer.synced, new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    let failures = 0;
    while (!signal.aborted) {
      let delay = o.resyncMs ?? 30_000;
      if (dirty) {
        dirty = false;
        try {
          // The bridge gets its address when the kubelet learns the podCIDR: look again soon.
          if (!(await reconcile())) {
            dirty = true;
            delay = 1_000;
          }
          failures = 0;
          markSynced();
        } catch (err) {
          // A next hop not yet on-link (its node still coming up) or a busy netlink: retry.
          dirty = true;
          failures++;
          delay = Math.min(200 * 2 ** failures, 5_000);
          log.warn('pod routes not reconciled', { err: (err as Error).message });
        }
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          signal.removeEventListener('abort', done);
          wake = undefined;
          resolve();
        };
        // The periodic pass re-checks the kernel too: someone may have flushed our routes.
        const t = setTimeout(() => {
          dirty = true;
          done();
        }, delay);
        wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
    await factory.stopped();
  };

  const done = loop().catch((err: unknown) => log.error('host-gw routing stopped', { err: (err as Error).message }));
  return {
    synced,
    done,
    async cleanup() {
      for (const r of await listOwnedRoutes(proto)) await deleteRoute(r, proto).catch(() => undefined);
    },
  };
}
