/**
 * @module The EndpointSlice controller ("endpointslice-controller", upstream
 * pkg/controller/endpointslice): for every Service with a selector, keeps EndpointSlices
 * (IPv4, at most `maxEndpointsPerSlice` = 100 endpoints each) listing the matching pods with
 * ready/serving/terminating conditions, named ports resolved per pod, node and zone. The slices
 * are owned by the Service (the garbage collector removes them with it) and labelled
 * `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by`. Services without
 * a selector are left alone. Writes it has made but the cache has not shown yet hold the next
 * pass back (upstream's endpointSliceTracker), so a lagging cache never duplicates a slice.
 */
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs, splitKey } from '../client/refs.ts';
import { selectorFromSet } from '../machinery/labels.ts';
import { isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext, type ReconcileResult } from './framework/controller.ts';
import { newControllerRef } from './framework/owner.ts';
import { enqueueServicesOfPods } from './framework/service-pods.ts';
import {
  desiredSlices,
  headlessLabel,
  managedByLabel,
  managedByValue,
  serviceNameLabel,
  sliceKey,
  type SliceContent,
} from './endpointslice/desired.ts';

export const controllerName = 'endpointslice-controller';

type S = Service & KubeObject;
type P = Pod & KubeObject;
type N = Node & KubeObject;
type ES = EndpointSlice & KubeObject;

/** JSON with sorted keys, so stored and desired objects compare regardless of key order. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : val,
  );
}

export class EndpointSliceController implements Controller {
  readonly name = controllerName;
  private readonly services: Informer<S>;
  private readonly pods: Informer<P>;
  private readonly nodes: Informer<N>;
  private readonly slices: Informer<ES>;
  private readonly runner: QueueRunner;
  private readonly maxPerSlice: number;
  /** service key → slice name → resourceVersion written (or 'deleted'), until the cache shows it. */
  private readonly written = new Map<string, Map<string, string>>();

  constructor(private readonly ctx: ControllerContext) {
    this.maxPerSlice = Number(ctx.options?.maxEndpointsPerSlice ?? 100);
    this.services = ctx.informers.informerFor<S>(refs.services);
    this.pods = ctx.informers.informerFor<P>(refs.pods);
    this.nodes = ctx.informers.informerFor<N>(refs.nodes);
    this.slices = ctx.informers.informerFor<ES>(refs.endpointslices, { labelSelector: `${managedByLabel}=${managedByValue}` });
    this.runner = new QueueRunner(ctx, controllerName, (key) => this.reconcile(key));
    enqueueServicesOfPods(this.services, this.pods, this.runner.enqueue);
    const enqueueOwner = (es: ES) => {
      const svc = es.metadata?.labels?.[serviceNameLabel];
      if (svc) this.runner.enqueue(`${es.metadata?.namespace}/${svc}`);
    };
    this.slices.addEventHandler({ onAdd: enqueueOwner, onUpdate: (_o, n) => enqueueOwner(n), onDelete: enqueueOwner });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private ownedSlices(namespace: string, name: string): ES[] {
    return this.slices.store.byIndex('namespace', namespace).filter((s) => s.metadata?.labels?.[serviceNameLabel] === name);
  }

  /** True while a write of ours is not yet in the cache. */
  private cacheLags(key: string, current: ES[]): boolean {
    const w = this.written.get(key);
    if (!w) return false;
    for (const [name, rv] of w) {
      const seen = current.find((s) => s.metadata?.name === name);
      const caught = rv === 'deleted' ? !seen : !!seen && Number(seen.metadata?.resourceVersion) >= Number(rv);
      if (caught) w.delete(name);
    }
    if (w.size === 0) this.written.delete(key);
    return w.size > 0;
  }

  private remember(key: string, name: string, rv: string): void {
    let w = this.written.get(key);
    if (!w) this.written.set(key, (w = new Map()));
    w.set(name, rv);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.store.getByName(namespace, name);
    const current = this.ownedSlices(namespace, name);
    if (this.cacheLags(key, current)) return { requeueAfterMs: 50 };
    // Deleted Services' slices go with them through their owner reference.
    if (!svc || svc.metadata?.deletionTimestamp) return;
    const selector = svc.spec?.selector;
    if (!selector || Object.keys(selector).length === 0 || svc.spec?.type === 'ExternalName') return;
    const sel = selectorFromSet(selector);
    const pods = this.pods.store.byIndex('namespace', namespace).filter((p) => sel.matches(p.metadata?.labels ?? {}));
    const desired = desiredSlices(svc, pods, (n) => this.nodes.store.getByName('', n), this.maxPerSlice);
    await this.apply(key, svc, desired, current);
  }

  private labelsFor(svc: S): Record<string, string> {
    const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}), [serviceNameLabel]: svc.metadata!.name!, [managedByLabel]: managedByValue };
    if (svc.spec?.clusterIP === 'None') labels[headlessLabel] = '';
    else delete labels[headlessLabel];
    return labels;
  }

  /** Updates slices with the same port set in place, creates what is missing, deletes the rest. */
  private async apply(key: string, svc: S, desired: SliceContent[], current: ES[]): Promise<void> {
    const client = this.ctx.client.resource<ES>(refs.endpointslices);
    const ns = svc.metadata!.namespace!;
    const labels = this.labelsFor(svc);
    const ownerRef = newControllerRef(svc, { apiVersion: 'v1', kind: 'Service' });
    const unused = [...current].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    for (const want of desired) {
      const i = unused.findIndex((s) => sliceKey(s) === sliceKey(want));
      const body = { addressType: 'IPv4', ports: want.ports, endpoints: want.endpoints };
      if (i < 0) {
        const created = await client.create(
          { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { generateName: `${svc.metadata!.name!.slice(0, 57)}-`, namespace: ns, labels, ownerReferences: [ownerRef] }, ...body },
          ns,
        );
        this.remember(key, created.metadata!.name!, created.metadata!.resourceVersion!);
        continue;
      }
      const [have] = unused.splice(i, 1);
      if (canonical([have!.endpoints ?? [], have!.ports ?? [], have!.metadata?.labels ?? {}]) === canonical([body.endpoints, body.ports, labels])) continue;
      const updated = await client.update({ ...have!, ...body, metadata: { ...have!.metadata, labels, ownerReferences: [ownerRef] } });
      this.remember(key, updated.metadata!.name!, updated.metadata!.resourceVersion!);
    }
    for (const extra of unused) {
      try {
        await client.delete(extra.metadata!.name!, { namespace: ns, preconditions: { uid: extra.metadata?.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.remember(key, extra.metadata!.name!, 'deleted');
    }
  }
}
