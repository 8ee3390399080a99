/**
 * @module Starts `--sim-nodes N` simulated nodes inside `skiff server`.
 */
import type { UserInfo } from '../../apiserver/types.ts';
import type { Transport } from '../../client/transport.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';

export interface SimNodesHandle {
  /** Names of the simulated nodes. */
  names: string[];
  /** Resolves when every simulated node has stopped. */
  done: Promise<unknown>;
}

export function startSimNodes(_transportFor: (user: UserInfo) => Transport, _clock: Clock, _logger: Logger, _signal: AbortSignal, _opts: { count: number }): SimNodesHandle {
  return { names: [], done: Promise.resolve() };
}
