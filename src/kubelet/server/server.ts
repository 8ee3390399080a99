/**
 * @module The kubelet's own HTTPS endpoint (upstream port 10250): a serving certificate from
 * the cluster CA, client-certificate authentication of the API server (CN
 * `kube-apiserver-kubelet-client`, or group `system:masters`), `/healthz`,
 * `/containerLogs/{ns}/{pod}/{container}`, `/stats/summary` and `/metrics/resource` (usage for
 * metrics-server), and `/exec`, `/attach`, `/portForward` upgrades
 * handed to the StreamHandlers. Certificates are passed in, so an agent that joined over
 * HTTPS serves the same way as the server's embedded one; a renewed serving certificate is
 * swapped in live (`setCredentials`, or {@link swapServingCertificate} for the agent's
 * rotation, which does not hold the server): new connections get it, open ones keep theirs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../util/log.ts';
import type { StreamHandlers, StreamTarget, UpgradeHandler } from './handlers.ts';
import { logTarget } from './log-target.ts';
import { parseLogQuery, readContainerLog } from './logs.ts';
import { prometheusContentType, renderResourceMetrics } from '../stats/prometheus.ts';
import { SummaryRenderer } from '../stats/summary.ts';
import type { NodeUsage } from '../stats/types.ts';

export interface KubeletServerOptions {
  cert: string;
  key: string;
  /** CA that signs the API server's client certificate. */
  clientCA: string;
  /** 0 picks a free port. */
  port: number;
  /** Default 0.0.0.0, as upstream. */
  address?: string;
  agentDir: string;
  /** The pod as this kubelet knows it (its cache). */
  getPod: (namespace: string, name: string) => Pod | undefined;
  handlers?: StreamHandlers;
  /** The node's current usage, for `/stats/summary` and `/metrics/resource`; absent: 404. */
  stats?: () => Promise<NodeUsage>;
  /** The kubelet's own Prometheus metrics, for `/metrics`; absent: 404. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  logger: Logger;
}

const allowedCN = 'kube-apiserver-kubelet-client';

/** Listening endpoints of this process, for {@link swapServingCertificate}. */
const live = new Set<KubeletServer>();

/**
 * Puts `next` into every listening kubelet endpoint of this process that serves the `current`
 * certificate (PEM); returns how many. The agent's rotation knows the certificate it renewed,
 * not the server object the kubelet built from it.
 */
export function swapServingCertificate(current: string, next: { cert: string; key: string }): number {
  let n = 0;
  for (const s of live) if (s.servingCert === current.trim()) {
    s.setCredentials(next.cert, next.key);
    n++;
  }
  return n;
}

function authenticated(req: IncomingMessage): boolean {
  const s = req.socket as TLSSocket;
  if (!s.authorized) return false;
  const cert = s.getPeerCertificate();
  const cn = ([] as string[]).concat(cert?.subject?.CN ?? []);
  const o = ([] as string[]).concat(cert?.subject?.O ?? []);
  return cn.includes(allowedCN) || o.includes('system:masters');
}

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

const reasons: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 404: 'NotFound', 405: 'MethodNotAllowed', 501: 'NotImplemented' };

/** `/exec/{ns}/{pod}[/{uid}]/{container}` and `/portForward/{ns}/{pod}[/{uid}]`. */
function streamRoute(parts: string[], query: URLSearchParams): { kind: keyof StreamHandlers; target: StreamTarget } | undefined {
  const [head, ns, pod, a, b] = parts;
  if (!ns || !pod) return undefined;
  if (head === 'portForward' && parts.length <= 4) return { kind: 'portForward', target: { namespace: ns, pod, ...(a ? { uid: a } : {}), query } };
  if ((head === 'exec' || head === 'attach') && (parts.length === 4 || parts.length === 5)) {
    const target: StreamTarget = b ? { namespace: ns, pod, uid: a, container: b, query } : { namespace: ns, pod, container: a, query };
    return { kind: head, target };
  }
  return undefined;
}

export class KubeletServer {
  private server: Server | undefined;
  private readonly summary = new SummaryRenderer();
  private cert: string;
  private key: string;

  constructor(private readonly o: KubeletServerOptions) {
    this.cert = o.cert;
    this.key = o.key;
  }

  /** The serving certificate (PEM) new connections get. */
  get servingCert(): string {
    return this.cert.trim();
  }

  /**
   * Serves `cert`/`key` from the next TLS handshake on (`tls.Server.setSecureContext`), as
   * upstream's kubelet does through its certificate manager's GetCertificate callback. The
   * client CA is part of the context, so it is set again with the pair.
   */
  setCredentials(cert: string, key: string): void {
    this.server?.setSecureContext({ cert, key, ca: this.o.clientCA });
    this.cert = cert;
    this.key = key;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Resolves once listening; the server closes when `signal` aborts. */
  async start(signal: AbortSignal): Promise<number> {
    const server = createServer({ cert: this.cert, key: this.key, ca: this.o.clientCA, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      void this.request(req, res).catch((err: unknown) => {
        this.o.logger.warn('kubelet server request failed', { err: (err as Error).message });
        if (!res.headersSent) this.fail(res, 500, (err as Error).message);
        else res.destroy();
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    server.requestTimeout = 0;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.address ?? '0.0.0.0', () => resolve());
    });
    live.add(this);
    signal.addEventListener('abort', () => {
      live.delete(this);
      server.close();
      server.closeAllConnections();
    }, { once: true });
    return this.port;
  }

  private fail(res: ServerResponse, code: number, message: string): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(status(code, reasons[code] ?? 'InternalError', message));
  }

  private async request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!authenticated(req)) return this.fail(res, 401, 'Unauthorized');
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (parts[0] === 'containerLogs' && parts.length === 4) {
      if (req.method !== 'GET') return this.fail(res, 405, `method ${req.method} not allowed`);
      return this.containerLogs(req, res, parts[1]!, parts[2]!, parts[3]!, url.searchParams);
    }
    if ((url.pathname === '/stats/summary' || url.pathname === '/metrics/resource') && this.o.stats) {
      if (req.method !== 'GET') return this.fail(res, 405, `method ${req.method} not allowed`);
      return this.statsRoute(res, url.pathname === '/stats/summary');
    }
    if (url.pathname === '/metrics' && this.o.metrics) {
      if (req.method !== 'GET') return this.fail(res, 405, `method ${req.method} not allowed`);
      const m = await this.o.metrics();
      res.writeHead(200, { 'content-type': m.contentType });
      res.end(m.body);
      return;
    }
    if (streamRoute(parts, url.searchParams)) return this.fail(res, 400, 'Upgrade request required');
    this.fail(res, 404, `the server could not find the requested resource`);
  }

  private async statsRoute(res: ServerResponse, summary: boolean): Promise<void> {
    let usage: NodeUsage | undefined;
    try {
      usage = await this.o.stats!();
    } catch (err) {
      // Upstream still answers /metrics/resource, with the scrape error gauge set.
      if (summary) throw err;
      this.o.logger.warn('collecting resource metrics failed', { err: (err as Error).message });
    }
    if (summary) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(this.summary.render(usage!)));
      return;
    }
    res.writeHead(200, { 'content-type': prometheusContentType });
    res.end(renderResourceMetrics(usage));
  }

  private async containerLogs(req: IncomingMessage, res: ServerResponse, ns: string, name: string, container: string, q: URLSearchParams): Promise<void> {
    const pod = this.o.getPod(ns, name);
    // Upstream answers these as plain-text 400/404s; the API server turns them into Statuses.
    const plain = (code: number, msg: string): void => {
      res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(msg);
    };
    if (!pod) return plain(404, `pod ${ns}/${name} not found`);
    const query = parseLogQuery(q);
    if (typeof query === 'string') return plain(400, query);
    const src = logTarget(pod, this.o.agentDir, container, q.get('previous') === 'true', () => this.o.getPod(ns, name));
    if (typeof src === 'string') return plain(400, src);
    const ctl = new AbortController();
    res.on('close', () => ctl.abort());
    req.on('close', () => ctl.abort());
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.flushHeaders();
    for await (const chunk of readContainerLog(src, query, ctl.signal)) {
      if (res.destroyed) break;
      if (!res.write(chunk)) await new Promise<void>((r) => res.once('drain', r).once('close', r));
    }
    res.end();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const reply = (code: number, message: string) => {
      const body = status(code, reasons[code] ?? 'InternalError', message);
      socket.end(`HTTP/1.1 ${code} ${reasons[code] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    };
    socket.on('error', () => socket.destroy());
    if (!authenticated(req)) return reply(401, 'Unauthorized');
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const route = streamRoute(url.pathname.split('/').filter(Boolean).map(decodeURIComponent), url.searchParams);
    if (!route) return reply(404, 'the server could not find the requested resource');
    const handler: UpgradeHandler | undefined = this.o.handlers?.[route.kind];
    if (!handler) return reply(501, `${route.kind} is not supported by this kubelet`);
    Promise.resolve()
      .then(() => handler(req, socket, head, route.target))
      .catch((err: unknown) => {
        this.o.logger.warn('stream handler failed', { kind: route.kind, err: (err as Error).message });
        socket.destroy();
      });
  }
}
