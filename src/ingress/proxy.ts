/**
 * @module The ingress request handler on the HTTP/1.1 data path (`http1/`): route → (HTTP only)
 * 308 to HTTPS for TLS hosts, as ingress-nginx's default `ssl-redirect` → canary or main backend
 * → forward over a pooled keep-alive upstream connection with X-Forwarded-* headers. A request
 * that fails before any response byte arrives (connection refused or reset, as
 * `proxy_next_upstream error`) is retried on the next endpoint, so endpoints going away never
 * show as failures; a failure on a reused idle socket (the upstream closed it meanwhile) is
 * retried on a fresh connection first. No endpoints at all is a 503.
 */
import { cookieLookup, routeToCanary } from './canary.ts';
import type { EndpointResolver, Upstream } from './endpoints.ts';
import type { AttemptFailed, Exchange } from './http1/exchange.ts';
import { field } from './http1/head.ts';
import type { UpstreamConn, UpstreamPool, Waiter } from './http1/pool.ts';
import type { IngressMetrics } from './metrics.ts';
import { requestHost, requestPath } from './paths.ts';
import type { RouteTable, ServiceBackend } from './router.ts';

const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const maxTries = 5;
/** Connect-phase failures: nothing reached the upstream, so any request may go elsewhere. */
const notConnected = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EADDRNOTAVAIL']);

export interface ProxyContext {
  table(): RouteTable;
  endpoints: Pick<EndpointResolver, 'pick'>;
  metrics: Pick<IngressMetrics, 'observe'>;
  /** The HTTPS port for redirects (undefined: HTTPS is off, no redirect). */
  httpsPort?: number;
  pool: UpstreamPool;
}

const key = (u: Upstream) => `${u.host}:${u.port}`;

/**
 * Tries endpoints in turn until one answers (or the retry rules say stop). A class rather than
 * closures: it runs per request, and it is the pool's `Waiter` and the exchange's failure sink.
 */
class Forwarding implements Waiter, AttemptFailed {
  private readonly tried = new Set<string>();
  private tries = 0;
  private last?: NodeJS.ErrnoException;
  private up?: Upstream;
  private allTried = false;
  /** The current try already moved from a reused socket to a fresh one. */
  private fresh = false;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly ex: Exchange,
    private readonly backend: ServiceBackend,
  ) {}

  next(): void {
    const ex = this.ex;
    if (ex.finished) return;
    if (this.tries++ >= maxTries) return this.giveUp();
    // Re-resolved on every try: an endpoint that just went away is dropped from the next pick.
    const ups = this.ctx.endpoints.pick(this.backend);
    if (!ups.length) return this.giveUp();
    // The next endpoint not tried yet; when all were (one address), the first again.
    const up = ups.find((u) => !this.tried.has(key(u))) ?? ups[0]!;
    this.tried.add(key(up));
    this.allTried = ups.every((u) => this.tried.has(key(u)));
    this.up = up;
    this.fresh = false;
    this.ctx.pool.acquire(up.host, up.port, this);
  }

  connected(c: UpstreamConn): void {
    if (this.ex.finished) return void this.ctx.pool.release(c);
    this.ex.forward(this.ctx.pool, c, this);
  }

  connectFailed(err: NodeJS.ErrnoException): void {
    this.retry(err, true, false);
  }

  failed(err: NodeJS.ErrnoException, replayable: boolean, c: UpstreamConn): void {
    // A reused idle socket the upstream had closed: the request never reached it; again on a fresh one.
    if (c.reused && replayable && !this.fresh && !this.ex.finished) {
      this.fresh = true;
      return this.ctx.pool.acquire(this.up!.host, this.up!.port, this, true);
    }
    this.retry(err, replayable, true);
  }

  private retry(err: NodeJS.ErrnoException, replayable: boolean, connected: boolean): void {
    this.last = err;
    const unsent = !connected || notConnected.has(err.code ?? '');
    // Without the body to resend, or a non-idempotent request that may have been acted on: stop.
    if (!replayable || (!unsent && !idempotent.has(this.ex.head.method))) return this.giveUp();
    if (this.allTried) setTimeout(() => this.next(), 20 * this.tries).unref();
    else this.next();
  }

  private giveUp(): void {
    if (this.last) this.ex.respond(502, '502 Bad Gateway\n');
    else this.ex.respond(503, '503 Service Temporarily Unavailable\n');
  }
}

/** The handler for every request on an ingress listener (`proto`: which listener). */
export function ingressHandler(ctx: ProxyContext, proto: 'http' | 'https') {
  return (ex: Exchange): void => {
    const host = requestHost(ex.hostHeader);
    const table = ctx.table();
    const route = table.match(host, requestPath(ex.target));
    const done = (ingress: string, service: string) => (ex.onDone = (code) => ctx.metrics.observe(ingress, service, code, (performance.now() - ex.t0) / 1000));
    if (!route) {
      done('', '');
      return ex.respond(404, 'default backend - 404\n');
    }
    if (proto === 'http' && ctx.httpsPort !== undefined && table.tlsFor(host) && route.annotations['nginx.ingress.kubernetes.io/ssl-redirect'] !== 'false') {
      const port = ctx.httpsPort === 443 ? '' : `:${ctx.httpsPort}`;
      done(route.ingress, route.backend?.service ?? '');
      return ex.respond(308, '308 Permanent Redirect\n', { Location: `https://${host}${port}${ex.target}` });
    }
    const c = route.canary;
    const hs = ex.head.headers;
    const useCanary = c !== undefined && routeToCanary(c.policy, { header: (n) => field(hs, n.toLowerCase()), cookie: cookieLookup(field(hs, 'cookie')) });
    const ingress = useCanary ? c!.ingress : route.ingress;
    const backend = useCanary ? c!.backend : route.backend;
    done(ingress, backend?.service ?? '');
    if (!backend) return ex.respond(503, '503 Service Temporarily Unavailable\n');
    new Forwarding(ctx, ex, backend).next();
  };
}
