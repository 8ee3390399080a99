/**
 * @module The client side of an HTTP/1.1 connection: reads request heads from the socket (split
 * across packets or several in one), answers protocol errors itself (400/431/505 with
 * `Connection: close`, as nginx), and runs one `Exchange` at a time: pipelined requests wait in
 * the buffer until the response before them is complete, so responses go out strictly in order.
 * Keep-alive unless the client said `Connection: close` or spoke HTTP/1.0. After a 101 the
 * connection becomes a byte tunnel to the upstream socket.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Exchange, type ExchangeHost } from './exchange.ts';
import { plainResponse, type ClientInfo } from './forward.ts';
import { requestBody } from './framing.ts';
import { fields, headEnd, HttpError, maxHeadBytes, parseRequestHead } from './head.ts';

export interface ConnectionOptions {
  /** Idle keep-alive connections and clients stalled sending a head are closed after this (nginx: 75 s / 60 s). */
  clientTimeoutMs?: number;
}

export type ExchangeHandler = (ex: Exchange) => void;

const empty: Buffer = Buffer.alloc(0);

export class ClientConnection implements ExchangeHost {
  readonly info: ClientInfo;
  private buf: Buffer = empty;
  private current?: Exchange;
  private closing = false;
  private tunnelled = false;
  private pumping = false;
  private again = false;

  constructor(
    readonly socket: Socket,
    proto: 'http' | 'https',
    private readonly handler: ExchangeHandler,
    opts: ConnectionOptions,
    private readonly gone: (c: ClientConnection) => void,
  ) {
    this.info = { address: socket.remoteAddress ?? '', proto };
    socket.setNoDelay(true);
    socket.setTimeout(opts.clientTimeoutMs ?? 60_000);
    socket.on('data', this.onData).on('error', this.onError).on('close', this.onClose).on('timeout', this.onTimeout);
  }

  /** Whether an exchange is in progress (not idle). */
  get busy(): boolean {
    return this.current !== undefined || this.tunnelled;
  }

  private readonly onData = (d: Buffer) => {
    // Closing with no exchange left: nothing reads these bytes again (a client may keep
    // sending after a 400), so they are dropped instead of buffered without bound.
    if (this.closing && !this.current) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    this.pump();
  };

  private readonly onError = () => this.socket.destroy();
  // Idle or stuck in a head; during an exchange the upstream side's timeout watches for stalls
  // (a client not reading stalls the upstream too), and the next write re-arms this one.
  private readonly onTimeout = () => this.current === undefined && this.socket.destroy();

  private readonly onClose = () => {
    this.current?.abort();
    this.current = undefined;
    this.gone(this);
  };

  pauseRead(): void {
    this.socket.pause();
  }

  resumeRead(): void {
    if (this.tunnelled) return;
    this.socket.resume();
    this.pump();
  }

  private pump(): void {
    if (this.pumping) return void (this.again = true);
    this.pumping = true;
    try {
      do {
        this.again = false;
        this.step();
      } while (this.again && !this.socket.destroyed);
    } finally {
      this.pumping = false;
    }
  }

  private step(): void {
    if (this.tunnelled || this.socket.destroyed) return;
    if (this.current) return this.feed(this.current);
    if (this.closing || !this.buf.length) return;
    let end: number;
    let ex2: Exchange;
    try {
      end = headEnd(this.buf);
      if (end < 0) return;
      const head = parseRequestHead(this.buf, end);
      const body = requestBody(head);
      const hosts = fields(head.headers, 'host');
      if (hosts.length > 1 || (head.version >= 11 && hosts.length === 0)) throw new HttpError(400, 'missing or repeated Host');
      if (head.method === 'CONNECT') throw new HttpError(405, 'CONNECT is not supported');
      let hostHeader = hosts[0] ?? '';
      let target = head.target;
      // absolute-form (RFC 9112 §3.2.2): the target's authority wins over Host.
      const abs = /^https?:\/\/([^/?#]*)(.*)$/i.exec(target);
      if (abs) {
        hostHeader = abs[1]!;
        target = abs[2] ? (abs[2].startsWith('/') ? abs[2] : `/${abs[2]}`) : '/';
      }
      this.buf = this.buf.subarray(end);
      ex2 = new Exchange(this, head, body, hostHeader, target);
    } catch (err) {
      return this.reject(err);
    }
    this.current = ex2;
    // The body bytes already here first, so a local answer knows whether the request is complete.
    this.feed(ex2);
    if (!ex2.finished) this.handler(ex2);
  }

  /** Hands the buffered body bytes of the current request to its exchange. */
  private feed(ex: Exchange): void {
    if (!ex.requestDone && this.buf.length) {
      let n: number;
      try {
        n = ex.reader.take(this.buf);
      } catch (err) {
        this.buf = empty;
        return ex.requestError(err);
      }
      const part = n === this.buf.length ? this.buf : this.buf.subarray(0, n);
      this.buf = n === this.buf.length ? empty : this.buf.subarray(n);
      const more = n === 0 || ex.requestBytes(part);
      if (ex.reader.done) ex.requestEnd();
      if (!more) this.socket.pause();
    }
    // Bytes after the body are the next request: they wait; stop reading while many do.
    if (this.buf.length > maxHeadBytes) this.socket.pause();
  }

  /** A request we cannot parse: answer and close, as nothing after it can be trusted. */
  private reject(err: unknown): void {
    const status = err instanceof HttpError ? err.status : 400;
    this.closing = true;
    this.buf = empty;
    // A fixed body, as nginx: the parser's message would echo client bytes back.
    this.socket.end(plainResponse(status, `${status} ${STATUS_CODES[status] ?? 'Bad Request'}\n`, { head: false, close: true }));
  }

  exchangeDone(close: boolean): void {
    this.current = undefined;
    if (close || this.closing) {
      this.closing = true;
      this.buf = empty;
      this.socket.end();
      return;
    }
    this.socket.resume();
    this.pump();
  }

  /** After a 101: the two sockets are spliced both ways, with `pipe`'s backpressure. */
  tunnel(up: Socket, upstreamRest: Buffer): void {
    this.tunnelled = true;
    this.current = undefined;
    const c = this.socket;
    c.off('data', this.onData).off('timeout', this.onTimeout);
    c.setTimeout(0);
    if (upstreamRest.length) c.write(upstreamRest);
    if (this.buf.length) up.write(this.buf);
    this.buf = empty;
    const kill = () => {
      c.destroy();
      up.destroy();
    };
    // pipe() ends each side after the other's end; an error or a close tears both down.
    up.on('error', kill).on('close', () => c.end());
    c.on('error', kill).on('close', () => up.destroy());
    up.pipe(c);
    c.pipe(up);
    c.resume();
    up.resume();
  }

  /** Closes now when idle, else once the current exchange is done (the listener went away). */
  closeWhenIdle(): void {
    if (!this.busy) return this.destroy();
    this.closing = true;
  }

  /** Closes the connection now (server shutdown). */
  destroy(): void {
    this.socket.destroy();
  }
}
