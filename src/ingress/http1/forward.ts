/**
 * @module The heads the proxy writes: the request it forwards upstream (HTTP/1.1, hop-by-hop
 * fields dropped, `X-Forwarded-For` appended to, `X-Real-IP`, `X-Forwarded-Host` and
 * `X-Forwarded-Proto` set, as ingress-nginx does), the response head it relays to the client,
 * and the small plain-text answers the ingress makes itself (404, 308, 503, 502, 400, 431).
 */
import { STATUS_CODES } from 'node:http';
import type { Body } from './framing.ts';
import type { RequestHead, ResponseHead } from './head.ts';

/** Dropped when forwarding either way (the proxy speaks its own connection management). */
export const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'proxy-authenticate']);
/** Set by the proxy; what the client sent for them is replaced (X-Forwarded-For is appended to). */
const replaced = new Set(['x-forwarded-for', 'x-real-ip', 'x-forwarded-host', 'x-forwarded-proto']);

export interface ClientInfo {
  address: string;
  proto: 'http' | 'https';
}

/**
 * The upstream request head. A chunked body keeps its Transfer-Encoding (the chunks are
 * forwarded as they are); an upgrade keeps `Upgrade` and says `Connection: upgrade`.
 */
export function upstreamRequestHead(h: RequestHead, path: string, host: string, body: Body, client: ClientInfo, upgrade: string | undefined): Buffer {
  let out = `${h.method} ${path} HTTP/1.1\r\n`;
  let xff: string | undefined;
  const hs = h.headers;
  for (let i = 0; i < hs.length; i += 2) {
    const name = hs[i]!;
    const lower = name.toLowerCase();
    if (replaced.has(lower)) {
      if (lower === 'x-forwarded-for') xff = xff === undefined ? hs[i + 1] : `${xff}, ${hs[i + 1]}`;
      continue;
    }
    if (hopByHop.has(lower)) continue;
    out += `${name}: ${hs[i + 1]}\r\n`;
  }
  if (body.kind === 'chunked') out += 'Transfer-Encoding: chunked\r\n';
  if (upgrade !== undefined) out += `Connection: upgrade\r\nUpgrade: ${upgrade}\r\n`;
  out += `X-Forwarded-For: ${xff ? `${xff}, ${client.address}` : client.address}\r\nX-Real-IP: ${client.address}\r\nX-Forwarded-Host: ${host}\r\nX-Forwarded-Proto: ${client.proto}\r\n\r\n`;
  return Buffer.from(out, 'latin1');
}

/**
 * The response head for the client. `chunked`: the body is relayed as chunks (keep the
 * coding); `close`: this is the last response on the connection; `upgrade`: a 101's protocol.
 */
export function clientResponseHead(r: ResponseHead, opts: { chunked: boolean; close: boolean; upgrade?: string }): Buffer {
  let out = `HTTP/1.1 ${r.status} ${r.reason}\r\n`;
  const hs = r.headers;
  for (let i = 0; i < hs.length; i += 2) {
    const name = hs[i]!;
    if (hopByHop.has(name.toLowerCase())) continue;
    out += `${name}: ${hs[i + 1]}\r\n`;
  }
  if (opts.chunked) out += 'Transfer-Encoding: chunked\r\n';
  if (opts.upgrade !== undefined) out += `Connection: upgrade\r\nUpgrade: ${opts.upgrade}\r\n`;
  else if (opts.close) out += 'Connection: close\r\n';
  out += '\r\n';
  return Buffer.from(out, 'latin1');
}

/** A complete plain-text response (no body for HEAD). */
export function plainResponse(status: number, text: string, opts: { head: boolean; close: boolean; headers?: Record<string, string> }): Buffer {
  let out = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n`;
  for (const [k, v] of Object.entries(opts.headers ?? {})) out += `${k}: ${v}\r\n`;
  if (opts.close) out += 'Connection: close\r\n';
  out += '\r\n';
  return Buffer.concat([Buffer.from(out, 'latin1'), opts.head ? Buffer.alloc(0) : Buffer.from(text)]);
}
