/**
 * @module Message body framing (RFC 9112 §6): how long a request or response body is, with the
 * request smuggling guards a proxy needs because it forwards bytes to a server that may read
 * the framing differently: a request with both Content-Length and Transfer-Encoding, differing
 * Content-Lengths, a non-numeric length, or a Transfer-Encoding that does not end in `chunked`
 * is rejected (400). Responses follow the RFC's precedence instead (HEAD, 1xx, 204 and 304
 * have no body; Transfer-Encoding wins over Content-Length; otherwise read until close).
 */
import { ChunkedScanner } from './chunked.ts';
import { fields, HttpError, tokens, type RequestHead, type ResponseHead } from './head.ts';

export type Body = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

const none: Body = { kind: 'none' };

function contentLength(values: string[], status: number): number | undefined {
  if (!values.length) return undefined;
  let n: number | undefined;
  for (const v of values)
    for (const part of v.split(',')) {
      const t = part.trim();
      if (!/^\d{1,15}$/.test(t)) throw new HttpError(status, 'invalid Content-Length');
      if (n !== undefined && Number(t) !== n) throw new HttpError(status, 'conflicting Content-Length');
      n = Number(t);
    }
  return n;
}

/** The request body's framing; throws 400 for anything ambiguous. */
export function requestBody(h: RequestHead): Body {
  const te = tokens(h.headers, 'transfer-encoding');
  const cl = contentLength(fields(h.headers, 'content-length'), 400);
  if (te.length) {
    if (cl !== undefined) throw new HttpError(400, 'both Content-Length and Transfer-Encoding');
    if (h.version < 11) throw new HttpError(400, 'Transfer-Encoding in an HTTP/1.0 request');
    if (te[te.length - 1] !== 'chunked' || te.indexOf('chunked') !== te.length - 1) throw new HttpError(400, 'Transfer-Encoding must end in chunked, once');
    return { kind: 'chunked' };
  }
  if (cl === undefined || cl === 0) return none;
  return { kind: 'length', length: cl };
}

/** The response body's framing for a request `method`; throws 502 for a broken length. */
export function responseBody(method: string, r: ResponseHead): Body {
  if (method === 'HEAD' || r.status < 200 || r.status === 204 || r.status === 304) return none;
  const te = tokens(r.headers, 'transfer-encoding');
  if (te.length) return te[te.length - 1] === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  const cl = contentLength(fields(r.headers, 'content-length'), 502);
  if (cl === undefined) return { kind: 'close' };
  return cl === 0 ? none : { kind: 'length', length: cl };
}

/** Follows a body through the stream: how many bytes of each piece are body, and when it ends. */
export class BodyReader {
  private remaining: number;
  private readonly chunks?: ChunkedScanner;
  private finished: boolean;

  constructor(
    readonly body: Body,
    status = 400,
  ) {
    this.remaining = body.kind === 'length' ? body.length : 0;
    this.chunks = body.kind === 'chunked' ? new ChunkedScanner(status) : undefined;
    this.finished = body.kind === 'none';
  }

  get done(): boolean {
    return this.finished;
  }

  /** The count of leading bytes of `buf` that belong to the body (throws `HttpError` on bad chunks). */
  take(buf: Buffer, data?: (part: Buffer) => void): number {
    if (this.finished) return 0;
    if (this.chunks) {
      const n = this.chunks.scan(buf, data);
      this.finished = this.chunks.done;
      return n;
    }
    if (this.body.kind === 'close') {
      data?.(buf);
      return buf.length;
    }
    const n = Math.min(this.remaining, buf.length);
    this.remaining -= n;
    this.finished = this.remaining === 0;
    if (data && n) data(n === buf.length ? buf : buf.subarray(0, n));
    return n;
  }

  /** The connection closed: a close-delimited body ends here; any other is truncated. */
  closed(): boolean {
    if (this.body.kind === 'close') this.finished = true;
    return this.finished;
  }
}
