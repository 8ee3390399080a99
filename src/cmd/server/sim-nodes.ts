/**
 * @module Starts `--sim-nodes N` simulated nodes inside `skiff server`: one SimNodePool whose
 * shared informers read as the pool and whose writes go out as each node's own kubelet
 * identity (`system:node:<name>`, group `system:nodes`), through the in-process transport.
 */
import type { UserInfo } from '../../apiserver/types.ts';
import { Client } from '../../client/rest.ts';
import type { Transport } from '../../client/transport.ts';
import { SimNodePool } from '../../kubelet/sim/pool.ts';
import type { SimOptions } from '../../kubelet/sim/options.ts';
import type { UsageSource } from '../../kubelet/stats/types.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';

export interface SimNodesHandle {
  /** Names of the simulated nodes. */
  names: string[];
  /** Resolves when every simulated node has stopped. */
  done: Promise<unknown>;
  /** Stops a node's heartbeats (status, Lease) and pod handling, as a node failure. */
  stop(name: string): void;
  /** Resumes a stopped node. */
  start(name: string): void;
  /** Registers one more node (default name `sim-<next>`); returns its name. */
  add(name?: string): string;
  /** Changes the pool's tunables (tests shorten the Lease renew interval and pod timings). */
  setOptions(opts: Partial<SimOptions>): void;
  /** The simulated nodes' synthetic usage, read in-process by the metrics server. */
  usage: UsageSource;
}

const nodeUser = (name: string): UserInfo => ({ username: `system:node:${name}`, groups: ['system:nodes'] });

export function startSimNodes(
  transportFor: (user: UserInfo) => Transport,
  clock: Clock,
  logger: Logger,
  signal: AbortSignal,
  opts: { count: number } & Partial<SimOptions>,
): SimNodesHandle {
  const { count, ...tunables } = opts;
  const names: string[] = [];
  if (count <= 0) {
    // No pool at all unless asked for: a server without sim nodes runs no extra watches.
    let pool: SimNodePool | undefined;
    let done: Promise<unknown> = Promise.resolve();
    const lazy = (): SimNodePool => {
      if (!pool) {
        pool = makePool(transportFor, clock, logger, tunables);
        done = pool.run(signal).catch((err: unknown) => logger.error('simulated nodes stopped', { err: err as Error }));
        handle.done = done;
      }
      return pool;
    };
    const handle: SimNodesHandle = {
      names,
      done,
      stop: (name) => lazy().stop(name),
      start: (name) => lazy().start(name),
      add: (name) => {
        const n = lazy().add(name);
        if (!names.includes(n)) names.push(n);
        return n;
      },
      setOptions: (o) => lazy().setOptions(o),
      usage: { nodeNames: () => pool?.usage.nodeNames() ?? [], usage: async (n) => pool?.usage.usage(n) },
    };
    return handle;
  }
  const pool = makePool(transportFor, clock, logger, tunables);
  for (let i = 0; i < count; i++) names.push(pool.add());
  const done = pool.run(signal).catch((err: unknown) => logger.error('simulated nodes stopped', { err: err as Error }));
  return {
    names,
    done,
    stop: (name) => pool.stop(name),
    start: (name) => pool.start(name),
    add: (name) => {
      const n = pool.add(name);
      if (!names.includes(n)) names.push(n);
      return n;
    },
    setOptions: (o) => pool.setOptions(o),
    usage: pool.usage,
  };
}

function makePool(transportFor: (user: UserInfo) => Transport, clock: Clock, logger: Logger, tunables: Partial<SimOptions>): SimNodePool {
  const readUser: UserInfo = { username: 'system:node:skiff-sim-pool', groups: ['system:nodes'] };
  const client = new Client(transportFor(readUser), { userAgent: 'skiff-sim-kubelet', fieldManager: 'kubelet' });
  // One Client per node, made once: each node writes as its own kubelet.
  const clients = new Map<string, Client>();
  const clientFor = (name: string): Client => {
    let c = clients.get(name);
    if (!c) clients.set(name, (c = new Client(transportFor(nodeUser(name)), { userAgent: 'skiff-sim-kubelet', fieldManager: 'kubelet' })));
    return c;
  };
  return new SimNodePool({ client, clientFor, clock, logger: logger.child({ component: 'sim-nodes' }) }, tunables);
}
