/**
 * @module The service account controller ("serviceaccount-controller"): every active namespace
 * has a `default` ServiceAccount, recreated if deleted (upstream
 * pkg/controller/serviceaccount/serviceaccounts_controller.go). Keys are namespace names.
 */
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { refs } from '../client/refs.ts';
import { isAlreadyExists, isForbidden, isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext } from './framework/controller.ts';

export const controllerName = 'serviceaccount-controller';
export const defaultServiceAccounts = ['default'];

type NS = Namespace & KubeObject;
type SA = ServiceAccount & KubeObject;

export class ServiceAccountController implements Controller {
  readonly name = controllerName;
  private readonly runner: QueueRunner;
  private readonly namespaces: Informer<NS>;
  private readonly accounts: Informer<SA>;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner(ctx, controllerName, (ns) => this.reconcile(ns));
    this.namespaces = ctx.informers.informerFor<NS>(refs.namespaces);
    this.accounts = ctx.informers.informerFor<SA>(refs.serviceaccounts);
    this.namespaces.addEventHandler({
      onAdd: (ns) => this.runner.enqueue(ns.metadata!.name!),
      onUpdate: (_old, ns) => this.runner.enqueue(ns.metadata!.name!),
    });
    this.accounts.addEventHandler({
      onDelete: (sa) => {
        if (defaultServiceAccounts.includes(sa.metadata?.name ?? '')) this.runner.enqueue(sa.metadata!.namespace!);
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.store.getByName(undefined, namespace);
    if (!ns || ns.metadata?.deletionTimestamp || (ns.status?.phase ?? 'Active') !== 'Active') return;
    for (const name of defaultServiceAccounts) {
      if (this.accounts.store.getByName(namespace, name)) continue;
      try {
        await this.ctx.client.resource<SA>(refs.serviceaccounts).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } }, namespace);
      } catch (err) {
        // Already there (the cache lags), or the namespace is going away: nothing to do.
        if (isAlreadyExists(err) || isNotFound(err) || isForbidden(err)) continue;
        throw err;
      }
    }
  }
}
