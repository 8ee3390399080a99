/**
 * @module The HTTP(S) request handler: route → (HTTP only) 308 to HTTPS for TLS hosts, as
 * ingress-nginx's default `ssl-redirect` → canary or main backend → forward over keep-alive
 * with X-Forwarded-* headers. A request that fails before any response byte arrives (connection
 * refused or reset, as `proxy_next_upstream error`) is retried on the next endpoint, so
 * endpoints going away never show as failures; no endpoints at all is a 503.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { cookieLookup, routeToCanary } from './canary.ts';
import type { EndpointResolver, Upstream } from './endpoints.ts';
import type { IngressMetrics } from './metrics.ts';
import { requestHost, requestPath } from './paths.ts';
import type { RouteTable, ServiceBackend } from './router.ts';

const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'proxy-authenticate']);
const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const maxTries = 5;

export interface ProxyContext {
  table(): RouteTable;
  endpoints: Pick<EndpointResolver, 'pick'>;
  metrics: Pick<IngressMetrics, 'observe'>;
  /** The HTTPS port for redirects (undefined: HTTPS is off, no redirect). */
  httpsPort?: number;
  agent: http.Agent;
}

function plainText(res: ServerResponse, code: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function forwardHeaders(req: IncomingMessage, proto: string): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(req.headers)) if (!hopByHop.has(k) && v !== undefined) out[k] = v;
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
  out['x-real-ip'] = client;
  out['x-forwarded-host'] = req.headers.host ?? '';
  out['x-forwarded-proto'] = proto;
  return out;
}

/** One attempt; resolves false when it failed before a response started (safe to retry). */
function attempt(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, up: Upstream, headers: http.OutgoingHttpHeaders, streamBody: boolean): Promise<{ ok: boolean; code?: number; err?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const out = http.request({ host: up.host, port: up.port, method: req.method, path: req.url, headers, agent: ctx.agent });
    let started = false;
    out.on('response', (r) => {
      started = true;
      const h: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(r.headers)) if (!hopByHop.has(k) && v !== undefined) h[k] = v;
      res.writeHead(r.statusCode ?? 502, r.statusMessage, h);
      r.pipe(res);
      r.on('end', () => resolve({ ok: true, code: r.statusCode }));
      r.on('error', () => {
        res.destroy();
        resolve({ ok: true, code: r.statusCode });
      });
    });
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (started) {
        res.destroy();
        resolve({ ok: true, code: 502 });
      } else resolve({ ok: false, err });
    });
    if (streamBody) req.pipe(out);
    else out.end();
  });
}

async function forward(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, b: ServiceBackend, proto: string): Promise<number> {
  const headers = forwardHeaders(req, proto);
  const withBody = hasBody(req);
  let last: NodeJS.ErrnoException | undefined;
  const tried = new Set<string>();
  for (let i = 0; i < maxTries; i++) {
    // Re-resolved on every try: an endpoint that just went away is dropped from the next pick.
    const ups = ctx.endpoints.pick(b);
    if (!ups.length) break;
    // The next endpoint not tried yet; when all were (one address), the first again.
    const up = ups.find((u) => !tried.has(`${u.host}:${u.port}`)) ?? ups[0]!;
    tried.add(`${up.host}:${up.port}`);
    const r = await attempt(ctx, req, res, up, headers, withBody);
    if (r.ok) return r.code ?? 502;
    last = r.err;
    const refused = last?.code === 'ECONNREFUSED';
    // A streamed body was consumed; only a refused connection never read it (nginx retries
    // non-idempotent requests only when nothing was sent upstream).
    if (withBody || (!refused && !idempotent.has(req.method ?? 'GET'))) break;
    if (ups.every((u) => tried.has(`${u.host}:${u.port}`))) await delay(20 * (i + 1));
  }
  if (!res.headersSent) {
    if (last) plainText(res, 502, '502 Bad Gateway\n');
    else plainText(res, 503, '503 Service Temporarily Unavailable\n');
    return last ? 502 : 503;
  }
  return 502;
}

export function ingressHandler(ctx: ProxyContext, proto: 'http' | 'https') {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const t0 = performance.now();
    const host = requestHost(req.headers.host);
    const path = requestPath(req.url ?? '/');
    const table = ctx.table();
    const route = table.match(host, path);
    const done = (ingress: string, service: string, code: number) => ctx.metrics.observe(ingress, service, code, (performance.now() - t0) / 1000);
    if (!route) {
      plainText(res, 404, 'default backend - 404\n');
      done('', '', 404);
      return;
    }
    if (proto === 'http' && ctx.httpsPort !== undefined && table.tlsFor(host) && route.annotations['nginx.ingress.kubernetes.io/ssl-redirect'] !== 'false') {
      const port = ctx.httpsPort === 443 ? '' : `:${ctx.httpsPort}`;
      plainText(res, 308, '308 Permanent Redirect\n', { location: `https://${host}${port}${req.url ?? '/'}` });
      done(route.ingress, route.backend?.service ?? '', 308);
      return;
    }
    const c = route.canary;
    const useCanary = c !== undefined && routeToCanary(c.policy, { header: (n) => { const v = req.headers[n.toLowerCase()]; return Array.isArray(v) ? v[0] : v; }, cookie: cookieLookup(req.headers.cookie) });
    const ingress = useCanary ? c!.ingress : route.ingress;
    const backend = useCanary ? c!.backend : route.backend;
    if (!backend) {
      plainText(res, 503, '503 Service Temporarily Unavailable\n');
      done(ingress, '', 503);
      return;
    }
    forward(ctx, req, res, backend, proto).then(
      (code) => done(ingress, backend.service, code),
      () => {
        res.destroy();
        done(ingress, backend.service, 502);
      },
    );
  };
}
