/**
 * @module Starts the controllers that run inside `skiff server`, each with its own in-process
 * client and identity.
 */
import type { UserInfo } from '../../apiserver/types.ts';
import { Client } from '../../client/rest.ts';
import type { Transport } from '../../client/transport.ts';
import { NamespaceController } from '../../controllers/namespace.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';

export function startControllers(
  transportFor: (user: UserInfo) => Transport,
  clock: Clock,
  logger: Logger,
  signal: AbortSignal,
): Promise<unknown> {
  const identity = (name: string): UserInfo => ({ username: `system:serviceaccount:kube-system:${name}`, groups: ['system:serviceaccounts'] });
  const ns = new NamespaceController(
    new Client(transportFor(identity('namespace-controller')), { userAgent: 'skiff-controller-manager/namespace-controller', fieldManager: 'namespace-controller' }),
    clock,
    logger.child({ controller: 'namespace-controller' }),
  );
  return Promise.allSettled([ns.run(signal)]);
}
