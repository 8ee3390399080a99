/**
 * @module The Endpoints controller ("endpoint-controller", upstream pkg/controller/endpoint):
 * keeps the core/v1 Endpoints object of every Service with a selector — ready pods under
 * `addresses`, the others under `notReadyAddresses` (all under `addresses` with
 * `publishNotReadyAddresses`), terminating pods left out — repacked into subsets by resolved
 * port set as upstream's RepackSubsets does. Services without a selector keep the Endpoints
 * their users write (manual endpoints); a deleted Service's Endpoints are deleted.
 */
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs, splitKey } from '../client/refs.ts';
import { selectorFromSet } from '../machinery/labels.ts';
import { isAlreadyExists, isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext } from './framework/controller.ts';
import { findPort, headlessLabel, isPodReady, podBelongs } from './endpointslice/desired.ts';
import { canonical } from './endpointslice.ts';
import { enqueueServicesOfPods } from './framework/service-pods.ts';

export const controllerName = 'endpoint-controller';

type S = Service & KubeObject;
type P = Pod & KubeObject;
type E = Endpoints & KubeObject;

/** The subsets for a Service's pods, grouped by port set and sorted for a stable object. */
export function desiredSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    if (!podBelongs(pod, false)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      ports.push(sp.appProtocol ? { ...ep, appProtocol: sp.appProtocol } : ep);
    }
    // A Service with ports none of which this pod has gets no address (headless ones may have no ports).
    if (svc.spec?.ports?.length && ports.length === 0) continue;
    ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    const addr: EndpointAddress = {
      ip: pod.status!.podIP!,
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      ...(pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name ? { hostname: pod.spec.hostname } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
    };
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, ready: [], notReady: [] }));
    (publish || isPodReady(pod) ? g.ready : g.notReady).push(addr);
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress) => a.ip.localeCompare(b.ip, undefined, { numeric: true });
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => ({
      ...(g.ready.length ? { addresses: g.ready.sort(byIp) } : {}),
      ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
      ...(g.ports.length ? { ports: g.ports } : {}),
    }));
}

export class EndpointsController implements Controller {
  readonly name = controllerName;
  private readonly services: Informer<S>;
  private readonly pods: Informer<P>;
  private readonly endpoints: Informer<E>;
  private readonly runner: QueueRunner;

  constructor(private readonly ctx: ControllerContext) {
    this.services = ctx.informers.informerFor<S>(refs.services);
    this.pods = ctx.informers.informerFor<P>(refs.pods);
    this.endpoints = ctx.informers.informerFor<E>(refs.endpoints);
    this.runner = new QueueRunner(ctx, controllerName, (key) => this.reconcile(key));
    enqueueServicesOfPods(this.services, this.pods, this.runner.enqueue);
    // An Endpoints object changed or removed by someone else is put back.
    const enqueueEp = (e: E) => this.runner.enqueue(keyOf(e));
    this.endpoints.addEventHandler({ onUpdate: (_o, n) => enqueueEp(n), onDelete: enqueueEp });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const client = this.ctx.client.resource<E>(refs.endpoints);
    const svc = this.services.store.getByName(namespace, name);
    if (!svc) {
      // Only the Endpoints of a Service that is gone; the `kubernetes` one has its own keeper.
      if (namespace === 'default' && name === 'kubernetes') return;
      if (!this.endpoints.store.getByName(namespace, name)) return;
      try {
        await client.delete(name, { namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    const selector = svc.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) return;
    const sel = selectorFromSet(selector);
    const pods = this.pods.store.byIndex('namespace', namespace).filter((p) => sel.matches(p.metadata?.labels ?? {}));
    const subsets = desiredSubsets(svc, pods);
    const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
    if (svc.spec?.clusterIP === 'None') labels[headlessLabel] = '';
    const current = this.endpoints.store.getByName(namespace, name);
    if (current && canonical([current.subsets ?? [], current.metadata?.labels ?? {}]) === canonical([subsets, labels])) return;
    if (!current) {
      try {
        await client.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets }, namespace);
      } catch (err) {
        // The cache lags a write of ours (or a user's manual object): the next pass updates it.
        if (isAlreadyExists(err)) throw new Error(`endpoints ${key} exist but are not in the cache yet`);
        throw err;
      }
      return;
    }
    await client.update({ ...current, metadata: { ...current.metadata, labels }, subsets });
  }
}
