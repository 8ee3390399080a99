/**
 * @module kubelet/server/streams/websocket-channel
 * The `channel.k8s.io` family of WebSocket subprotocols used by exec and attach (and, for
 * `@kubernetes/client-node`, by port-forward): every binary message starts with a channel
 * byte — 0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize — and v5 adds 255 CLOSE
 * (`[255, n]`: the client will send no more on channel n, i.e. stdin EOF).
 * v4+ carry a v1 `Status` JSON on channel 3; older versions a plain error text.
 * Pings are answered by `ws` (autoPong), which kubectl's read deadline depends on.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough, Writable, type Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** Server preference order. */
export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'] as const;
export type ChannelProtocol = (typeof CHANNEL_PROTOCOLS)[number];

export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** Subprotocols the client offers, in its order. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const h = req.headers['sec-websocket-protocol'];
  return (Array.isArray(h) ? h.join(',') : (h ?? '')).split(',').map((s) => s.trim()).filter(Boolean);
}

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/** Picks the best channel protocol both sides speak. */
export function chooseChannelProtocol(offered: string[]): ChannelProtocol | undefined {
  return CHANNEL_PROTOCOLS.find((p) => offered.includes(p));
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (set) => [...set][0] ?? false });

/** Completes the WebSocket handshake answering with `protocol` (which the caller checked is offered). */
/** Resolves undefined when the handshake failed (ws has then answered 400 and closed the socket). */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket | undefined> {
  // handleProtocols echoes the first offered one, so narrow the header to our choice.
  req.headers['sec-websocket-protocol'] = protocol;
  return new Promise((resolve) => {
    const gone = () => resolve(undefined);
    socket.once('close', gone);
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('close', gone);
      resolve(ws);
    });
  });
}

export interface ExitStatus {
  /** undefined for success */
  exitCode?: number;
  /** A failure that is not an exit code (e.g. container not running). */
  error?: string;
  /** For the NonZeroExitCode message. */
  command?: string[];
}

/** A v1 Status for channel 3, as the kubelet writes it. */
export function statusFor(s: ExitStatus): Record<string, unknown> {
  if (s.error !== undefined) return { metadata: {}, status: 'Failure', message: s.error, reason: 'InternalError', details: { causes: [{ message: s.error }] }, code: 500 };
  if (!s.exitCode) return { metadata: {}, status: 'Success' };
  const what = s.command?.length ? `command '${s.command.join(' ')}' exited with ${s.exitCode}` : `exit code ${s.exitCode}`;
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: ${what}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(s.exitCode) }] },
  };
}

/**
 * One exec/attach session over an accepted WebSocket: stdin as a Readable, stdout/stderr
 * as Writables, terminal resizes as an async iterable, and `finish()` for the status.
 */
export class ChannelSession {
  readonly stdin = new PassThrough();
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Aborted when the client goes away. */
  readonly closed: AbortSignal;
  private readonly abort = new AbortController();
  private readonly resizes: { width: number; height: number }[] = [];
  private wake?: () => void;

  constructor(
    readonly ws: WebSocket,
    readonly protocol: ChannelProtocol,
  ) {
    this.closed = this.abort.signal;
    this.stdout = this.writer(Channel.stdout);
    this.stderr = this.writer(Channel.stderr);
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(isBinary ? data : Buffer.from(data)));
    ws.on('close', () => this.onClose());
    ws.on('error', () => this.onClose());
  }

  /** Terminal size changes sent by the client on channel 4. */
  async *resize(): AsyncGenerator<{ width: number; height: number }> {
    while (!this.closed.aborted) {
      const next = this.resizes.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  /** Sends the final status (channel 3) and closes normally. */
  async finish(s: ExitStatus): Promise<void> {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const v4 = this.protocol === 'v5.channel.k8s.io' || this.protocol === 'v4.channel.k8s.io';
    const body = v4 ? JSON.stringify(statusFor(s)) : (statusFor(s).message as string | undefined);
    if (body) await this.sendFrame(Channel.error, Buffer.from(body));
    this.ws.close(1000);
  }

  sendFrame(channel: number, data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState !== this.ws.OPEN) return reject(new Error('websocket closed'));
      this.ws.send(Buffer.concat([Buffer.of(channel), data]), { binary: true }, (err) => (err ? reject(err) : resolve()));
    });
  }

  private writer(channel: number): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        this.sendFrame(channel, chunk).then(() => cb(), () => cb()); // a gone client is not the command's error
      },
    });
  }

  private onMessage(data: Buffer): void {
    if (!data.length) return;
    const ch = data[0]!;
    const body = data.subarray(1);
    if (ch === Channel.stdin) {
      if (!this.stdin.writableEnded) this.stdin.write(Buffer.from(body));
    } else if (ch === Channel.resize) {
      try {
        const r = JSON.parse(body.toString()) as { Width?: number; Height?: number };
        this.resizes.push({ width: Number(r.Width ?? 0), height: Number(r.Height ?? 0) });
        this.wake?.();
      } catch {
        // a malformed resize is ignored, as the kubelet does
      }
    } else if (ch === Channel.close && this.protocol === 'v5.channel.k8s.io') {
      if (body[0] === Channel.stdin) this.stdin.end();
    }
  }

  private onClose(): void {
    if (!this.stdin.writableEnded) this.stdin.end();
    this.abort.abort();
    this.wake?.();
  }
}

/** Rejects an upgrade before the handshake with an HTTP error carrying a v1 Status. */
export function rejectUpgrade(socket: Duplex, code: number, reason: string, message: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  const text = { 400: 'Bad Request', 404: 'Not Found', 500: 'Internal Server Error' }[code] ?? 'Error';
  socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
