/**
 * @module kubelet/server/streams/port-forward
 * The two port-forward protocols, independent of how the target is reached (`dial`):
 *  - `portforward.k8s.io` over SPDY (kubectl, directly or tunnelled in a WebSocket): each
 *    forwarded connection is a pair of SPDY streams, `streamType: error` and `data`, with the
 *    same `port` and `requestID` headers;
 *  - the channel protocol `@kubernetes/client-node` uses: `?ports=P`, channel 2i data and
 *    2i+1 error for port i, each channel starting with the port as 2 bytes little endian.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { SpdySession, SpdyStream } from './spdy.ts';

export type Dial = (port: number) => Promise<Duplex>;

/** How long the first stream of a pair waits for its partner (upstream: the stream creation timeout). */
const PAIR_TIMEOUT_MS = 30_000;

/** Serves portforward.k8s.io stream pairs on a SPDY session until it closes. */
export function servePortForwardSpdy(session: SpdySession, dial: Dial, describe: (port: number, err: Error) => string): void {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream; timer: NodeJS.Timeout }>();
  session.on('stream', (s) => {
    void s.reply().catch(() => undefined);
    s.on('error', () => undefined);
    const type = s.headers['streamtype'];
    const id = s.headers['requestid'] ?? String(s.id);
    if (type !== 'error' && type !== 'data') {
      s.destroy();
      return;
    }
    let pair = pairs.get(id);
    if (!pair) {
      pair = { timer: setTimeout(() => abandon(id), PAIR_TIMEOUT_MS) };
      pairs.set(id, pair);
    }
    pair[type] = s;
    if (pair.error && pair.data) {
      clearTimeout(pair.timer);
      pairs.delete(id);
      void forward(pair.data, pair.error);
    }
  });
  session.on('close', () => {
    for (const id of [...pairs.keys()]) abandon(id);
  });

  function abandon(id: string): void {
    const p = pairs.get(id);
    pairs.delete(id);
    if (!p) return;
    clearTimeout(p.timer);
    p.error?.destroy();
    p.data?.destroy();
  }

  async function forward(data: SpdyStream, error: SpdyStream): Promise<void> {
    // The client never writes on the error stream; drain it so its FIN is seen.
    error.resume();
    const port = Number(data.headers['port']);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      error.end(`invalid port ${data.headers['port'] ?? ''}`);
      data.end();
      return;
    }
    let target: Duplex;
    try {
      target = await dial(port);
    } catch (err) {
      error.end(describe(port, err as Error));
      data.end();
      return;
    }
    target.on('error', (err) => {
      if (!error.writableEnded) error.end(describe(port, err));
      data.destroy();
    });
    data.on('close', () => target.destroy());
    target.on('close', () => {
      if (!error.writableEnded) error.end();
    });
    target.pipe(data);
    data.pipe(target);
  }
}

/** Serves the client-node channel protocol for `ports` on an accepted WebSocket. */
export function servePortForwardChannels(ws: WebSocket, ports: number[], dial: Dial, describe: (port: number, err: Error) => string): void {
  const targets: (Duplex | undefined)[] = [];
  let open = ports.length;
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.of(channel), data]), { binary: true });
  };
  const portBytes = (p: number) => Buffer.of(p & 0xff, (p >> 8) & 0xff);
  const doneOne = () => {
    if (--open === 0) ws.close(1000);
  };
  // Client data may arrive before the dial completes; hold it until then.
  const early: Buffer[][] = ports.map(() => []);

  ports.forEach((port, i) => {
    send(2 * i, portBytes(port));
    send(2 * i + 1, portBytes(port));
    dial(port).then(
      (t) => {
        targets[i] = t;
        for (const b of early[i]!) t.write(b);
        early[i] = [];
        t.on('data', (d: Buffer) => send(2 * i, d));
        t.on('error', (err) => send(2 * i + 1, Buffer.from(describe(port, err))));
        t.on('close', doneOne);
      },
      (err: Error) => {
        send(2 * i + 1, Buffer.from(describe(port, err)));
        doneOne();
      },
    );
  });

  ws.on('message', (raw: Buffer) => {
    if (!raw.length) return;
    const ch = raw[0]!;
    if (ch % 2 !== 0) return; // nothing meaningful is written to error channels
    const i = ch / 2;
    if (i >= ports.length) return;
    const body = Buffer.from(raw.subarray(1));
    const t = targets[i];
    if (t) t.write(body);
    else early[i]!.push(body);
  });
  ws.on('close', () => {
    for (const t of targets) t?.destroy();
  });
  ws.on('error', () => undefined);
}

/** Parses `ports=` query values (repeated and/or comma separated). */
export function parsePorts(query: URLSearchParams): number[] {
  const out: number[] = [];
  for (const v of query.getAll('ports')) for (const p of v.split(',')) if (p.trim()) out.push(Number(p.trim()));
  return out;
}
