/**
 * @module One request/response exchange on a client connection: the request body bytes flow
 * from the client (kept for a replay while small, so a retry on another connection can resend
 * them), the upstream's 1xx answers are relayed (`100 Continue` for `Expect`), the final head
 * is rewritten and the body relayed as it arrives with backpressure both ways, and at the end
 * the upstream socket goes back to the pool when both sides kept to their framing. A 101 to an
 * `Upgrade` request turns the exchange into a tunnel. Failing before any response byte is
 * reported to the caller (`onFail`), which may retry; everything else ends just this exchange.
 */
import type { Socket } from 'node:net';
import { BodyReader, responseBody, type Body } from './framing.ts';
import { upstreamRequestHead, clientResponseHead, plainResponse, type ClientInfo } from './forward.ts';
import { field, headEnd, HttpError, parseResponseHead, tokens, type RequestHead } from './head.ts';
import type { UpstreamConn, UpstreamPool, UpstreamUser } from './pool.ts';

/** Request body bytes kept for a replay; beyond this a failed attempt cannot be retried. */
const replayLimit = 64 * 1024;

/** What the exchange needs from its client connection. */
export interface ExchangeHost {
  readonly socket: Socket;
  readonly info: ClientInfo;
  pauseRead(): void;
  resumeRead(): void;
  exchangeDone(close: boolean): void;
  tunnel(upstream: Socket, upstreamRest: Buffer): void;
}

/** Told when an attempt failed before any response byte (`replayable`: the body can be resent). */
export interface AttemptFailed {
  failed(err: NodeJS.ErrnoException, replayable: boolean, c: UpstreamConn): void;
}

export class Exchange implements UpstreamUser {
  readonly t0 = performance.now();
  readonly reader: BodyReader;
  /** The Upgrade protocol the client asked for (GET without body, HTTP/1.1). */
  readonly upgrade?: string;
  /** The client asked for the connection to close after this exchange (or spoke HTTP/1.0). */
  readonly clientClose: boolean;
  requestDone: boolean;
  finished = false;
  /** The status sent to the client (0: none yet). */
  status = 0;
  /** Called once when the exchange ends, with the status (499: the client went away first). */
  onDone?: (code: number) => void;
  private chunks: Buffer[] | undefined = [];
  private chunkBytes = 0;
  private lease?: UpstreamConn;
  private pool?: UpstreamPool;
  private onFail?: AttemptFailed;
  private phase: 'head' | 'body' = 'head';
  private received = false;
  private rbuf: Buffer = Buffer.alloc(0);
  private res?: BodyReader;
  private dechunk = false;
  private closeAfter = false;
  private upReusable = false;
  private upPaused = false;
  private upHead?: Buffer;

  constructor(
    private readonly host: ExchangeHost,
    readonly head: RequestHead,
    readonly body: Body,
    /** The Host header as sent (or the absolute-form authority) and the origin-form target. */
    readonly hostHeader: string,
    readonly target: string,
  ) {
    this.reader = new BodyReader(body);
    this.requestDone = this.reader.done;
    const conn = tokens(head.headers, 'connection');
    this.clientClose = head.version < 11 || conn.includes('close');
    const up = field(head.headers, 'upgrade');
    if (up && conn.includes('upgrade') && head.version >= 11 && body.kind === 'none') this.upgrade = up;
  }

  get responseStarted(): boolean {
    return this.status !== 0;
  }

  /** Request body bytes from the client; false: stop reading until `resumeRead`. */
  requestBytes(part: Buffer): boolean {
    if (this.chunks) {
      this.chunks.push(part);
      this.chunkBytes += part.length;
    }
    const up = this.lease?.socket;
    if (!up) return this.chunkBytes < replayLimit;
    if (this.chunks && this.chunkBytes > replayLimit) this.chunks = undefined;
    return up.write(part);
  }

  requestEnd(): void {
    this.requestDone = true;
  }

  /** A framing error in the request body (bad chunk): 400 if nothing was answered yet. */
  requestError(err: unknown): void {
    this.dropUpstream();
    if (!this.responseStarted && err instanceof HttpError) this.respond(err.status, `${err.status} Bad Request\n`, {}, true);
    else this.destroy(400);
  }

  /** Answers from the proxy itself (404, 308, 502, 503, …). */
  respond(status: number, text: string, headers: Record<string, string> = {}, forceClose = false): void {
    if (this.finished) return;
    const close = forceClose || this.clientClose || !this.requestDone;
    this.status = status;
    this.host.socket.write(plainResponse(status, text, { head: this.head.method === 'HEAD', close, headers }));
    this.finish(close);
  }

  /** Sends the request on `lease`; `onFail` when it failed before any response byte. */
  forward(pool: UpstreamPool, lease: UpstreamConn, onFail: AttemptFailed): void {
    if (this.finished) return void pool.release(lease);
    this.pool = pool;
    this.lease = lease;
    this.onFail = onFail;
    this.phase = 'head';
    this.received = false;
    this.rbuf = Buffer.alloc(0);
    const up = lease.socket;
    lease.user = this;
    this.upHead ??= upstreamRequestHead(this.head, this.target, this.hostHeader, this.body, this.host.info, this.upgrade);
    // One writev for the head and what is here of the body: a syscall per write is most of the cost.
    up.cork();
    let ok = up.write(this.upHead);
    for (const c of this.chunks ?? []) ok = up.write(c);
    up.uncork();
    if (this.chunks && this.chunkBytes > replayLimit) this.chunks = undefined;
    if (ok) this.host.resumeRead();
    else this.host.pauseRead();
  }

  /** The client went away: drop the upstream side too. */
  abort(): void {
    if (this.finished) return;
    this.dropUpstream();
    this.finished = true;
    this.onDone?.(this.status || 499);
  }

  upDrain(): void {
    this.host.resumeRead();
  }

  upData(d: Buffer): void {
    this.received = true;
    try {
      if (this.phase === 'head') this.onHeadBytes(d);
      else this.relay(d);
    } catch (err) {
      this.upstreamBroken(err);
    }
  }

  private onHeadBytes(d: Buffer): void {
    this.rbuf = this.rbuf.length ? Buffer.concat([this.rbuf, d]) : d;
    for (;;) {
      const end = headEnd(this.rbuf);
      if (end < 0) return;
      const r = parseResponseHead(this.rbuf, end);
      const rest = this.rbuf.subarray(end);
      this.rbuf = Buffer.alloc(0);
      if (r.status === 101) {
        if (this.upgrade === undefined) throw new HttpError(502, 'unexpected 101');
        this.status = 101;
        this.host.socket.write(clientResponseHead(r, { chunked: false, close: false, upgrade: field(r.headers, 'upgrade') ?? this.upgrade }));
        const up = this.lease!.splice();
        this.lease = undefined;
        this.finished = true;
        this.onDone?.(101);
        this.host.tunnel(up, rest);
        return;
      }
      if (r.status < 200) {
        // Interim answers (100 Continue, 103 Early Hints) mean nothing to an HTTP/1.0 client.
        if (this.head.version >= 11) this.host.socket.write(clientResponseHead(r, { chunked: false, close: false }));
        this.rbuf = rest;
        continue;
      }
      const body = responseBody(this.head.method, r);
      this.dechunk = body.kind === 'chunked' && this.head.version < 11;
      this.closeAfter = this.clientClose || !this.requestDone || body.kind === 'close' || this.dechunk;
      this.upReusable = r.version >= 11 && body.kind !== 'close' && !tokens(r.headers, 'connection').includes('close');
      this.res = new BodyReader(body, 502);
      this.phase = 'body';
      this.status = r.status;
      // Head and the body bytes that came with it in one writev.
      const client = this.host.socket;
      client.cork();
      this.write(clientResponseHead(r, { chunked: body.kind === 'chunked' && !this.dechunk, close: this.closeAfter }));
      try {
        this.relay(rest);
      } finally {
        client.uncork();
      }
      return;
    }
  }

  private relay(d: Buffer): void {
    const res = this.res!;
    if (d.length) {
      const n = res.take(d, this.dechunk ? (p) => this.write(p) : undefined);
      if (!this.dechunk && n) this.write(n === d.length ? d : d.subarray(0, n));
      // Bytes past the response: the upstream does not keep to its framing; never reuse it.
      if (n < d.length) this.upReusable = false;
    }
    if (res.done) this.complete();
  }

  private write(b: Buffer): void {
    if (this.host.socket.write(b) || this.upPaused) return;
    this.upPaused = true;
    const up = this.lease!.socket;
    up.pause();
    this.host.socket.once('drain', () => {
      this.upPaused = false;
      if (this.lease?.socket === up) up.resume();
    });
  }

  private complete(): void {
    const lease = this.lease!;
    this.detach();
    if (this.upReusable && this.requestDone) {
      lease.socket.resume();
      this.pool!.release(lease);
    } else lease.socket.destroy();
    this.finish(this.closeAfter || !this.requestDone);
  }

  upEnd(): void {
    if (!this.lease) return;
    if (this.phase === 'body') {
      if (this.res!.closed()) return this.complete();
      return this.destroy(this.status); // truncated response: the client must see it broken
    }
    const e: NodeJS.ErrnoException = Object.assign(new Error('upstream closed the connection'), { code: 'ECONNRESET' });
    this.upError(e);
  }

  upError(err: NodeJS.ErrnoException): void {
    const c = this.lease;
    if (!c) return;
    if (this.phase === 'body' || this.responseStarted) return this.destroy(this.status);
    if (this.received) return this.upstreamBroken(err);
    this.dropUpstream();
    this.onFail?.failed(err, this.chunks !== undefined, c);
  }

  upTimeout(): void {
    if (!this.lease) return;
    if (this.responseStarted) return this.destroy(this.status);
    this.dropUpstream();
    this.respond(504, '504 Gateway Time-out\n', {}, true);
  }

  /** A broken response (bad head or framing): 502 if nothing was sent yet, else cut. */
  private upstreamBroken(_err: unknown): void {
    if (this.responseStarted) return this.destroy(this.status);
    this.dropUpstream();
    this.respond(502, '502 Bad Gateway\n', {}, true);
  }

  private detach(): Socket {
    const c = this.lease!;
    c.user = undefined;
    this.lease = undefined;
    this.upPaused = false;
    return c.socket;
  }

  private dropUpstream(): void {
    if (!this.lease) return;
    this.detach().destroy();
  }

  /** Ends the exchange by closing the client connection (mid-response failures). */
  private destroy(code: number): void {
    this.dropUpstream();
    if (this.finished) return;
    this.finished = true;
    this.onDone?.(code || 502);
    this.host.socket.destroy();
  }

  private finish(close: boolean): void {
    if (this.finished) return;
    this.finished = true;
    this.onDone?.(this.status);
    this.host.exchangeDone(close);
  }
}
