/**
 * @module Starts the scheduler inside `skiff server` with its own in-process client and
 * identity. (The scheduler itself arrives with the control-loops issue.)
 */
import type { UserInfo } from '../../apiserver/types.ts';
import type { Transport } from '../../client/transport.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';

export function startScheduler(_transportFor: (user: UserInfo) => Transport, _clock: Clock, _logger: Logger, _signal: AbortSignal): Promise<unknown> {
  return Promise.resolve();
}
