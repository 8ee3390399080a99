/**
 * @module One TCP listener of the userspace proxy: accepts on an address:port and splices each
 * connection to an endpoint the route's balancer picks. A failed connect tries the next
 * endpoint (as the old kube-proxy userspace mode); no endpoint at all resets the client at once
 * instead of leaving it hanging. Both directions are piped with half-close kept, and an error
 * on either side destroys both.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from '../../util/log.ts';
import type { Target } from './balancer.ts';
import type { UserspaceMetrics } from './metrics.ts';
import { clientAddress, type ProxyListener, type Route } from './route.ts';

export interface TcpOptions {
  connectTimeoutMs: number;
}

export async function listenTcp(
  host: string,
  port: number,
  route: Route,
  deps: { logger: Logger; metrics: UserspaceMetrics; options: TcpOptions },
): Promise<ProxyListener> {
  let current = route;
  const open = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    const r = current;
    const svc = r.service;
    open.add(client);
    deps.metrics.connections.inc({ service: svc });
    deps.metrics.active.inc({ service: svc });
    client.once('close', () => {
      open.delete(client);
      deps.metrics.active.dec({ service: svc });
    });
    client.on('error', () => client.destroy());
    const ip = clientAddress(client.remoteAddress);
    const candidates = r.balancer.candidates(ip);
    if (!candidates.length) {
      deps.metrics.errors.inc({ service: svc, reason: 'no-endpoints' });
      client.resetAndDestroy();
      return;
    }
    dial(client, candidates, 0, (target) => r.balancer.connected(ip, target), svc, deps);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => deps.logger.warn('proxy listener failed', { host, port, err }));
  return {
    port: (server.address() as AddressInfo).port,
    setRoute(r) {
      current = r;
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function dial(
  client: Socket,
  candidates: Target[],
  i: number,
  onConnected: (t: Target) => void,
  svc: string,
  deps: { logger: Logger; metrics: UserspaceMetrics; options: TcpOptions },
): void {
  if (client.destroyed) return;
  const target = candidates[i];
  if (!target) {
    deps.metrics.errors.inc({ service: svc, reason: 'all-endpoints-failed' });
    client.resetAndDestroy();
    return;
  }
  const upstream = connect({ host: target.ip, port: target.port, allowHalfOpen: true, timeout: deps.options.connectTimeoutMs });
  // Settled once: connected, or given up on (timeout and error must not both retry).
  let settled = false;
  const retry = (reason: string) => {
    if (settled) return;
    settled = true;
    deps.metrics.errors.inc({ service: svc, reason });
    upstream.destroy();
    dial(client, candidates, i + 1, onConnected, svc, deps);
  };
  upstream.once('timeout', () => retry('connect-timeout'));
  upstream.once('error', () => retry('connect-failed'));
  // A client that gives up while we dial takes the half-made upstream with it.
  const abandon = () => upstream.destroy();
  client.once('close', abandon);
  upstream.once('connect', () => {
    if (settled) return;
    settled = true;
    client.off('close', abandon);
    upstream.setTimeout(0);
    upstream.removeAllListeners('error');
    onConnected(target);
    splice(client, upstream, () => deps.metrics.errors.inc({ service: svc, reason: 'stream' }));
  });
}

/** Pipes both ways; `end` travels as a half-close, an error destroys both sides. */
function splice(a: Socket, b: Socket, onError: () => void): void {
  const fail = () => {
    onError();
    a.destroy();
    b.destroy();
  };
  a.on('error', fail);
  b.on('error', fail);
  a.once('close', () => {
    if (!b.writableEnded) b.destroy();
  });
  b.once('close', () => {
    if (!a.writableEnded) a.destroy();
  });
  a.pipe(b);
  b.pipe(a);
  a.resume();
}
