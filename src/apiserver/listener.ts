/**
 * @module The HTTPS front door: TLS with optional client certificates verified against the
 * cluster CA, bodies read with a size cap, streaming responses flushed at once (watch clients
 * block until headers arrive), and request cancellation when the client goes away. The
 * serving certificate can be swapped on the running server (rotation before expiry).
 */
import { createServer, type Server } from 'node:https';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { StatusError } from '../machinery/status.ts';
import type { Logger } from '../util/log.ts';
import { maxBodyBytes } from './http/body.ts';
import { errorResponse } from './http/respond.ts';
import type { ApiRequest, ApiResponse, PeerIdentity } from './types.ts';

export interface ListenerOptions {
  cert: string;
  key: string;
  /** CA that signs client certificates. */
  clientCA: string;
  logger: Logger;
}

/** New TLS handshakes present this certificate; established connections keep theirs. */
export function setServingCertificate(server: Server, pair: { cert: string; key: string; clientCA: string }): void {
  server.setSecureContext({ cert: pair.cert, key: pair.key, ca: pair.clientCA });
}

export type Handler = (req: ApiRequest) => Promise<ApiResponse>;

function peerOf(req: IncomingMessage): PeerIdentity | undefined {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.subject) return undefined;
  const cn = cert.subject.CN;
  const o = cert.subject.O;
  const commonName = Array.isArray(cn) ? (cn[0] ?? '') : (cn ?? '');
  const organizations = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { kind: 'certificate', commonName, organizations };
}

async function readBody(req: IncomingMessage): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBodyBytes) throw StatusError.tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw StatusError.tooLarge();
    chunks.push(chunk as Buffer);
  }
  return size ? Buffer.concat(chunks) : undefined;
}

async function send(res: ServerResponse, out: ApiResponse): Promise<void> {
  res.statusCode = out.status;
  for (const [k, v] of Object.entries(out.headers)) res.setHeader(k, v);
  if (out.body instanceof Uint8Array) {
    res.setHeader('content-length', out.body.length);
    res.end(out.body);
    return;
  }
  res.removeHeader('content-length');
  res.flushHeaders();
  for await (const chunk of out.body) {
    if (res.destroyed) break;
    if (!res.write(chunk)) await new Promise<void>((r) => res.once('drain', r).once('close', r));
  }
  res.end();
}

export function createListener(opts: ListenerOptions, handle: Handler): Server {
  const server = createServer(
    { cert: opts.cert, key: opts.key, ca: opts.clientCA, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const ctl = new AbortController();
      res.on('close', () => ctl.abort());
      void (async () => {
        try {
          const url = new URL(req.url ?? '/', 'https://localhost');
          let body: Uint8Array | undefined;
          try {
            body = await readBody(req);
          } catch (err) {
            await send(res, errorResponse(err instanceof StatusError ? err : StatusError.badRequest('could not read the request body')));
            return;
          }
          const headers: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          const out = await handle({
            method: req.method ?? 'GET',
            path: url.pathname,
            query: url.searchParams,
            headers,
            body,
            signal: ctl.signal,
            peer: peerOf(req),
          });
          await send(res, out);
        } catch (err) {
          opts.logger.error('response failed', { err: err as Error });
          if (!res.headersSent) await send(res, errorResponse(StatusError.internal((err as Error).message))).catch(() => {});
          else res.destroy();
        }
      })();
    },
  );
  // Connection upgrades (exec, attach, port-forward) run the same pipeline without a body; an
  // accepted one takes the socket over, anything else is written back as a plain response.
  server.on('upgrade', (req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
    const ctl = new AbortController();
    socket.on('close', () => ctl.abort());
    socket.on('error', () => socket.destroy());
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://localhost');
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const out = await handle({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, signal: ctl.signal, peer: peerOf(req) });
      if (out.upgrade) return out.upgrade(socket, head);
      const chunks: Uint8Array[] = [];
      if (out.body instanceof Uint8Array) chunks.push(out.body);
      else for await (const c of out.body) chunks.push(c);
      const body = Buffer.concat(chunks);
      const lines = [`HTTP/1.1 ${out.status} ${STATUS_CODES[out.status] ?? ''}`, ...Object.entries(out.headers).map(([k, v]) => `${k}: ${v}`), `content-length: ${body.length}`, 'connection: close'];
      socket.end(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), body]));
    })().catch((err: unknown) => {
      opts.logger.error('upgrade failed', { err: err as Error });
      socket.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.requestTimeout = 0;
  return server;
}
