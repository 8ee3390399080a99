/**
 * @module Listeners for the HTTP/1.1 data path: a plain `net.Server` or a `tls.Server` (SNI via
 * the caller's callback) whose sockets all go to `ClientConnection`, with the open connections
 * tracked so the owner can close the idle ones (handing the listener to worker processes) or
 * all of them (shutdown). `accept` takes sockets from a listener owned elsewhere (a worker's
 * handle passed over IPC).
 */
import net, { type Socket } from 'node:net';
import tls, { type SecureContext } from 'node:tls';
import { ClientConnection, type ConnectionOptions, type ExchangeHandler } from './connection.ts';

export interface TlsOptions {
  cert: string;
  key: string;
  SNICallback: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void;
}

export class Http1Server {
  readonly server: net.Server;
  private readonly conns = new Set<ClientConnection>();

  constructor(
    readonly proto: 'http' | 'https',
    private readonly handler: ExchangeHandler,
    tlsOptions: TlsOptions | undefined,
    private readonly opts: ConnectionOptions = {},
  ) {
    if (proto === 'https') {
      if (!tlsOptions) throw new Error('https needs TLS options');
      this.server = tls.createServer(tlsOptions, (s) => this.track(s));
      // A failed handshake is the client's problem; the default handler only destroys the socket.
      this.server.on('tlsClientError', (_err: Error, s: Socket) => s.destroy());
    } else this.server = net.createServer({ noDelay: true }, (s) => this.track(s));
  }

  private track(s: Socket): void {
    const c = new ClientConnection(s, this.proto, this.handler, this.opts, (gone) => this.conns.delete(gone));
    this.conns.add(c);
  }

  /** A socket accepted by another listener (TLS sockets still need their handshake here). */
  accept(s: Socket): void {
    if (this.proto === 'https') this.server.emit('connection', s);
    else this.track(s);
  }

  /** Closes the idle connections now and the others after their current exchange. */
  closeIdle(): void {
    for (const c of this.conns) c.closeWhenIdle();
  }

  closeAll(): void {
    for (const c of this.conns) c.destroy();
  }
}
