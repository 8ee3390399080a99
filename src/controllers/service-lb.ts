/**
 * @module The LoadBalancer cloud controller ("service-lb-controller"), ServiceLB-like (k3s
 * pkg/cloudprovider/servicelb.go) with upstream's service controller flow
 * (cloud-provider/controllers/service/controller.go): every `type: LoadBalancer` Service of our
 * class gets `status.loadBalancer.ingress` = the InternalIPs of the Ready, schedulable nodes,
 * whose service proxies serve those addresses. The cleanup finalizer is added while a Service
 * has a load balancer and removed after cleanup (deletion, type change). A port+protocol
 * another LoadBalancer Service already holds leaves the Service Pending with a Warning
 * `SyncLoadBalancerFailed`. Node changes re-sync every LoadBalancer Service.
 */
import type { LoadBalancerIngress } from 'kubernetes-types/core/v1.js';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs } from '../client/refs.ts';
import { isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext } from './framework/controller.ts';
import { cleanupFinalizer, findConflict, ingressFor, nodeAddresses, nodeIsEligible, sameIngress, wantsLoadBalancer, type N, type Svc } from './service-lb/desired.ts';

export const controllerName = 'service-lb-controller';

const hasFinalizer = (s: Svc): boolean => s.metadata?.finalizers?.includes(cleanupFinalizer) ?? false;
const hasIngress = (s: Svc): boolean => (s.status?.loadBalancer?.ingress?.length ?? 0) > 0;
/** Services this controller has anything to do with (serve now, or clean up after). */
const concerns = (s: Svc): boolean => wantsLoadBalancer(s) || hasFinalizer(s) || hasIngress(s);
const nodeView = (n: N): string => JSON.stringify([nodeIsEligible(n), n.status?.addresses?.filter((a) => a.type === 'InternalIP')]);

export class ServiceLbController implements Controller {
  readonly name = controllerName;
  private readonly runner: QueueRunner;
  private readonly services: Informer<Svc>;
  private readonly nodes: Informer<N>;
  /** The last Warning per Service, so a lasting conflict is reported once, not every sync. */
  private readonly warned = new Map<string, string>();

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner(ctx, controllerName, (k) => this.reconcile(k), { workers: 1 });
    this.services = ctx.informers.informerFor<Svc>(refs.services);
    this.nodes = ctx.informers.informerFor<N>(refs.nodes);
    // Any LoadBalancer Service changing may free or take a port another one waits for.
    const onService = (s: Svc) => {
      if (concerns(s)) this.runner.enqueue(keyOf(s));
      if (wantsLoadBalancer(s) || hasIngress(s)) this.enqueueAll();
    };
    this.services.addEventHandler({ onAdd: onService, onUpdate: (o, n) => (concerns(o) && !concerns(n) ? this.runner.enqueue(keyOf(n)) : onService(n)), onDelete: onService });
    this.nodes.addEventHandler({
      onAdd: () => this.enqueueAll(),
      onUpdate: (o, n) => nodeView(o) !== nodeView(n) && this.enqueueAll(),
      onDelete: () => this.enqueueAll(),
    });
  }

  private enqueueAll(): void {
    for (const s of this.services.store.list()) if (concerns(s)) this.runner.enqueue(keyOf(s));
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async reconcile(key: string): Promise<void> {
    const [ns, name] = key.split('/') as [string, string];
    const svc = this.services.store.getByName(ns, name);
    if (!svc) {
      this.warned.delete(key);
      return;
    }
    if (svc.metadata?.deletionTimestamp || !wantsLoadBalancer(svc)) return this.cleanup(svc, key);
    if (!hasFinalizer(svc)) await this.setFinalizers(svc, [...(svc.metadata?.finalizers ?? []), cleanupFinalizer]);

    const conflict = findConflict(svc, this.services.store.list());
    if (conflict) {
      await this.setIngress(svc, []);
      return this.warn(svc, key, 'SyncLoadBalancerFailed', `Error syncing load balancer: failed to ensure load balancer: port ${conflict.port} is already in use by LoadBalancer Service ${conflict.holder}`);
    }
    const ips = nodeAddresses(this.nodes.store.list());
    if (!ips.length) {
      await this.setIngress(svc, []);
      return this.warn(svc, key, 'UnAvailableLoadBalancer', 'There are no available nodes for LoadBalancer');
    }
    this.warned.delete(key);
    const desired = ingressFor(ips);
    if (sameIngress(svc.status?.loadBalancer?.ingress, desired)) return;
    this.ctx.recorder.event(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
    await this.setIngress(svc, desired);
    this.ctx.recorder.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
  }

  private warn(svc: Svc, key: string, reason: string, message: string): void {
    if (this.warned.get(key) === message) return;
    this.warned.set(key, message);
    this.ctx.recorder.event(svc, 'Warning', reason, message);
  }

  /** Upstream's needsCleanup path: status cleared, then the finalizer released. */
  private async cleanup(svc: Svc, key: string): Promise<void> {
    this.warned.delete(key);
    if (!hasFinalizer(svc) && !hasIngress(svc)) return;
    this.ctx.recorder.event(svc, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
    await this.setIngress(svc, []);
    if (hasFinalizer(svc)) await this.setFinalizers(svc, (svc.metadata?.finalizers ?? []).filter((f) => f !== cleanupFinalizer));
    this.ctx.recorder.event(svc, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
  }

  private async setIngress(svc: Svc, ingress: LoadBalancerIngress[]): Promise<void> {
    if (sameIngress(svc.status?.loadBalancer?.ingress, ingress)) return;
    const body = { status: { loadBalancer: ingress.length ? { ingress } : { ingress: null } } };
    try {
      await this.ctx.client.resource<Svc>(refs.services).patch(svc.metadata!.name!, 'merge', body, { namespace: svc.metadata!.namespace, subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async setFinalizers(svc: Svc, finalizers: string[]): Promise<void> {
    // resourceVersion makes a stale cache lose (Conflict → retry) rather than drop others' finalizers.
    const body = { metadata: { resourceVersion: svc.metadata?.resourceVersion, finalizers: finalizers.length ? finalizers : null } };
    try {
      await this.ctx.client.resource<Svc>(refs.services).patch(svc.metadata!.name!, 'merge', body, { namespace: svc.metadata!.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
