/**
 * @module Starts an API server in process for a test: memory storage (or a backend the test
 * holds), peer authentication, allow-all authorization and every built-in strategy, started
 * with its watch cache ready and the given namespaces present, plus a Client that reaches it
 * through the in-process transport as a given user. Stopped by `stop()` or the caller's signal.
 */
import { peerAuthenticator } from '../../src/apiserver/auth/authenticator.ts';
import { allowAllAuthorizer } from '../../src/apiserver/auth/authorizer.ts';
import { allStrategies } from '../../src/apiserver/registry/index.ts';
import { ApiServer, type ApiServerConfig } from '../../src/apiserver/server.ts';
import type { PeerIdentity, UserInfo } from '../../src/apiserver/types.ts';
import { inProcessTransport } from '../../src/client/in-process-transport.ts';
import { Client } from '../../src/client/rest.ts';
import type { Transport } from '../../src/client/transport.ts';
import { MemoryBackend } from '../../src/storage/drivers/memory.ts';
import type { Backend } from '../../src/storage/interface.ts';
import { realClock } from '../../src/util/clock.ts';
import { silentLogger } from '../../src/util/log.ts';

/** The identity of `client`/`transport` unless `user` says otherwise. */
export const testUser: UserInfo = { username: 'test', groups: ['system:masters'] };

export interface InProcessApiOptions {
  /** Storage; a new MemoryBackend by default. A backend that needs starting is started by the caller. */
  backend?: Backend;
  /** Namespaces to ensure once the server is ready; `['default']` by default. */
  namespaces?: string[];
  /** Who `client` and `transport` act as; `testUser` by default. */
  user?: UserInfo;
  /** Stops the server when it aborts (as `stop()` does). */
  signal?: AbortSignal;
  /** Overrides of any other server option (strategies, trackManagedFields, watchCacheCapacity, …). */
  server?: Partial<Omit<ApiServerConfig, 'backend'>>;
}

export interface InProcessApi {
  api: ApiServer;
  /** The in-process transport as the options' user, for tests that wrap it. */
  transport: Transport;
  client: Client;
  transportAs(user: UserInfo): Transport;
  clientAs(user: UserInfo): Client;
  stop(): void;
  /** Stops the server and resolves once it has stopped (before closing a backend the caller holds). */
  stopped(): Promise<void>;
}

export async function startInProcessApi(opts: InProcessApiOptions = {}): Promise<InProcessApi> {
  const api = new ApiServer({
    backend: opts.backend ?? new MemoryBackend(),
    clock: realClock,
    logger: silentLogger,
    strategies: allStrategies,
    authenticator: peerAuthenticator,
    authorizer: allowAllAuthorizer,
    serverAddress: () => '127.0.0.1:0',
    ...opts.server,
  });
  const ctl = new AbortController();
  const stop = () => ctl.abort();
  if (opts.signal?.aborted) stop();
  opts.signal?.addEventListener('abort', stop, { once: true });
  const serving = api.start(ctl.signal).catch(() => undefined);
  await api.watchCache.ready;
  for (const ns of opts.namespaces ?? ['default']) await api.ensureNamespace(ns);
  const transportAs = (user: UserInfo): Transport => {
    const peer: PeerIdentity = { kind: 'in-process', user };
    return inProcessTransport((req) => api.handle({ ...req, peer }));
  };
  const clientAs = (user: UserInfo) => new Client(transportAs(user));
  const transport = transportAs(opts.user ?? testUser);
  const stopped = async () => {
    stop();
    await serving;
  };
  return { api, transport, client: new Client(transport), transportAs, clientAs, stop, stopped };
}
