/**
 * @module A Transport that calls a request handler directly (no socket, no TLS). The
 * composition code binds the API server's pipeline and an identity into the handler, so
 * requests still pass authentication, authorization, admission and validation.
 */
import { setMaxListeners } from 'node:events';
import type { Transport, TransportResponse } from './transport.ts';

export type RequestHandler = (req: {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body?: Uint8Array;
  signal: AbortSignal;
}) => Promise<{ status: number; headers: Record<string, string>; body: Uint8Array | AsyncIterable<Uint8Array> }>;

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/**
 * The signal of a call that brought none: it never aborts, so one serves every such call
 * instead of an AbortController per request. Handlers that listen (a watch) remove their
 * listener when they end; long-lived watches may listen at once, hence no listener limit.
 */
const neverAborted = new AbortController().signal;
setMaxListeners(0, neverAborted);

/** Resolves on the next turn of the event loop (after pending I/O and timers). */
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

export function inProcessTransport(handle: RequestHandler): Transport {
  return {
    async request(req): Promise<TransportResponse> {
      // A call over a socket always leaves the current turn; one in process would not, and a
      // component issuing calls back to back (or thousands at once) would then run as one
      // endless chain of promise continuations, starving timers (Lease renewals) and sockets
      // (kubectl's TLS handshakes). Each call therefore starts on a new turn, as over HTTPS.
      await nextTurn();
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
      const res = await handle({
        method: req.method,
        path: req.path,
        query: req.query ?? new URLSearchParams(),
        headers,
        body: req.body,
        signal: req.signal ?? neverAborted,
      });
      return { status: res.status, headers: res.headers, body: res.body instanceof Uint8Array ? once(res.body) : res.body };
    },
  };
}
