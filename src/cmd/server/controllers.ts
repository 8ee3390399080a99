/**
 * @module The controller manager inside `skiff server`: one shared informer factory, one
 * event recorder, and every controller in `controllerList`, run only while this server holds
 * the `kube-controller-manager` Lease (so two servers never run the same controller).
 */
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { UserInfo } from '../../apiserver/types.ts';
import { InformerFactory } from '../../client/cache/factory.ts';
import { ClientEventRecorder } from '../../client/events/recorder.ts';
import { LeaderElector } from '../../client/leader-election.ts';
import { Client } from '../../client/rest.ts';
import type { Transport } from '../../client/transport.ts';
import type { ControllerContext } from '../../controllers/framework/controller.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';
import { controllerList } from './controller-list.ts';
import { withQueueMetrics } from '../../client/workqueue/metrics.ts';
import { queueName, type ServerMetrics } from './metrics-registry.ts';
import { controllerServiceAccounts } from '../../apiserver/auth/bootstrap-policy/controller-policy.ts';

/** Upstream's ServiceAccount for each controller where its name differs from Skiff's. */
const serviceAccountNames: Record<string, string> = {
  'replicationcontroller-controller': 'replication-controller',
  'daemonset-controller': 'daemon-set-controller',
  'garbage-collector-controller': 'generic-garbage-collector',
  'serviceaccount-controller': 'service-account-controller',
  'node-lifecycle-controller': 'node-controller',
  'node-ipam-controller': 'node-controller',
  'csrapproving-controller': 'certificate-controller',
  'csrsigning-controller': 'certificate-controller',
  'endpoints-controller': 'endpoint-controller',
  'hpa-controller': 'horizontal-pod-autoscaler',
  'horizontal-pod-autoscaler-controller': 'horizontal-pod-autoscaler',
};

export const controllerServiceAccount = (controller: string): string => serviceAccountNames[controller] ?? controller;

const controllerUser = (sa: string): UserInfo => ({
  username: `system:serviceaccount:kube-system:${sa}`,
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
});

export interface ControllerManagerOptions {
  identity?: string;
  /** Tunables handed to every controller (see each controller's options). */
  options?: Record<string, number | string | boolean>;
  /** Names of controllers to leave out. */
  disabled?: readonly string[];
  /** Where the work queues and leader status report (`metrics-registry.ts`); none: not measured. */
  metrics?: Pick<ServerMetrics, 'queues' | 'leader'>;
}

export function startControllers(
  transportFor: (user: UserInfo) => Transport,
  clock: Clock,
  logger: Logger,
  signal: AbortSignal,
  opts: ControllerManagerOptions = {},
): Promise<unknown> {
  const user: UserInfo = { username: 'system:kube-controller-manager', groups: ['system:authenticated'] };
  const client = new Client(transportFor(user), { userAgent: 'skiff-controller-manager', fieldManager: 'kube-controller-manager' });
  const log = logger.child({ component: 'controller-manager' });
  const elector = new LeaderElector(client, { name: 'kube-controller-manager', identity: opts.identity ?? hostname() }, clock, log);
  const metrics = opts.metrics;
  metrics?.leader.set({ name: 'kube-controller-manager' }, 0);
  return elector.lead(signal, async (leading) => {
    // Every informer's watch and every worker listens on this one signal.
    setMaxListeners(0, leading);
    metrics?.leader.set({ name: 'kube-controller-manager' }, 1);
    leading.addEventListener('abort', () => metrics?.leader.set({ name: 'kube-controller-manager' }, 0), { once: true });
    const informers = new InformerFactory(client, { clock, logger: log });
    const running: Promise<void>[] = [];
    for (const entry of controllerList) {
      if (opts.disabled?.includes(entry.name)) continue;
      // Each controller writes as its own ServiceAccount, bound to system:controller:<sa>;
      // the shared informers read as the controller manager (list/watch of everything).
      // As upstream, the legacy token controller runs with the manager's own credentials.
      const rootCredentials = entry.name === 'serviceaccount-token-controller';
      const sa = controllerServiceAccount(entry.name);
      if (!rootCredentials && !controllerServiceAccounts.includes(sa)) log.warn('controller has no bootstrap RBAC role', { controller: entry.name, serviceAccount: sa });
      const own = rootCredentials ? client : new Client(transportFor(controllerUser(sa)), { userAgent: `skiff-controller-manager/${sa}`, fieldManager: 'kube-controller-manager' });
      const ownRecorder = new ClientEventRecorder(own, { component: 'controller-manager' }, clock, log);
      const ctx: ControllerContext = { client: own, informers, recorder: ownRecorder, clock, logger: log.child({ controller: entry.name }), options: opts.options ?? {} };
      // Every queue the controller builds reports as its upstream queue name.
      const c = metrics ? withQueueMetrics(metrics.queues, queueName(entry.name), () => entry.make(ctx)) : entry.make(ctx);
      running.push(c.run(leading).catch((err: unknown) => log.error('controller stopped', { controller: c.name, err: err as Error })));
    }
    informers.start(leading);
    await Promise.allSettled(running);
    await informers.stopped();
  });
}
