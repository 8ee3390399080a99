/**
 * @module Starts the scheduler inside `skiff server`: its own in-process client as
 * `system:kube-scheduler`, its own informer factory and event recorder (component
 * `default-scheduler`), running only while this server holds the `kube-scheduler` Lease.
 */
import { hostname } from 'node:os';
import type { UserInfo } from '../../apiserver/types.ts';
import { InformerFactory } from '../../client/cache/factory.ts';
import { ClientEventRecorder } from '../../client/events/recorder.ts';
import { LeaderElector } from '../../client/leader-election.ts';
import { Client } from '../../client/rest.ts';
import type { Transport } from '../../client/transport.ts';
import { Scheduler, type SchedulerOptions } from '../../scheduler/scheduler.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';

export function startScheduler(
  transportFor: (user: UserInfo) => Transport,
  clock: Clock,
  logger: Logger,
  signal: AbortSignal,
  opts: SchedulerOptions & { identity?: string } = {},
): Promise<unknown> {
  const user: UserInfo = { username: 'system:kube-scheduler', groups: ['system:authenticated'] };
  const client = new Client(transportFor(user), { userAgent: 'skiff-scheduler', fieldManager: 'kube-scheduler' });
  const log = logger.child({ component: 'scheduler' });
  const identity = opts.identity ?? hostname();
  const elector = new LeaderElector(client, { name: 'kube-scheduler', identity }, clock, log);
  return elector.lead(signal, async (leading) => {
    const informers = new InformerFactory(client, { clock, logger: log });
    const recorder = new ClientEventRecorder(client, { component: 'default-scheduler' }, clock, log);
    const scheduler = new Scheduler({ client, informers, recorder, clock, logger: log }, opts);
    informers.start(leading);
    await scheduler.run(leading);
    await informers.stopped();
  });
}
