/**
 * @module kubelet/server/streams/spdy
 * A SPDY/3.1 session, server side, enough for Kubernetes port-forward (what
 * `github.com/moby/spdystream` speaks on the other end): frame parsing and writing
 * (SYN_STREAM, SYN_REPLY, DATA, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE),
 * header blocks compressed with one zlib stream per direction primed with the SPDY
 * dictionary, and every peer-opened stream surfaced as a Node Duplex.
 *
 * Flow control: spdystream neither sends WINDOW_UPDATE nor honours it, so none is done here.
 */
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { SPDY_DICTIONARY } from './spdy-dictionary.ts';

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const RST_PROTOCOL_ERROR = 1;
export const RST_CANCEL = 5;
const MAX_DATA = 0x10000;

export type SpdyHeaders = Record<string, string>;

export type Frame =
  | { control: true; type: number; flags: number; data: Buffer }
  | { control: false; streamId: number; flags: number; data: Buffer };

/** Splits a byte buffer into complete frames; returns the frames and the unconsumed rest. */
export function parseFrames(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let off = 0;
  while (buf.length - off >= 8) {
    const len = buf.readUIntBE(off + 5, 3);
    if (buf.length - off < 8 + len) break;
    const flags = buf[off + 4]!;
    const data = buf.subarray(off + 8, off + 8 + len);
    if (buf[off]! & 0x80) frames.push({ control: true, type: buf.readUInt16BE(off + 2), flags, data });
    else frames.push({ control: false, streamId: buf.readUInt32BE(off) & 0x7fffffff, flags, data });
    off += 8 + len;
  }
  return { frames, rest: buf.subarray(off) };
}

export function controlFrame(type: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0); // control bit + version 3
  head.writeUInt16BE(type, 2);
  head[4] = flags;
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head[4] = flags;
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

/** Uncompressed header block: count, then (name, value) with uint32 lengths. Names are lower case. */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [k, v] of entries) {
    const kb = Buffer.from(k.toLowerCase());
    const vb = Buffer.from(v);
    parts.push(u32(kb.length), kb, u32(vb.length), vb);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(buf: Buffer): SpdyHeaders {
  const out: SpdyHeaders = {};
  const n = buf.readUInt32BE(0);
  let off = 4;
  for (let i = 0; i < n; i++) {
    const kl = buf.readUInt32BE(off);
    const k = buf.subarray(off + 4, off + 4 + kl).toString();
    off += 4 + kl;
    const vl = buf.readUInt32BE(off);
    // Multiple values of one header are NUL-separated; port-forward only needs the first.
    out[k.toLowerCase()] = buf.subarray(off + 4, off + 4 + vl).toString().split('\0')[0]!;
    off += 4 + vl;
  }
  return out;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/**
 * Runs input through a long-lived zlib stream with a sync flush per call, so each header
 * block is complete on its own while the compression context spans the whole session.
 * Calls are serialized: the context is order-sensitive.
 */
export class ZlibContext {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly z: zlib.Inflate | zlib.Deflate;
  constructor(mode: 'inflate' | 'deflate') {
    this.z = mode === 'inflate' ? zlib.createInflate({ dictionary: SPDY_DICTIONARY }) : zlib.createDeflate({ dictionary: SPDY_DICTIONARY });
    this.z.on('error', () => undefined); // surfaced per call below
  }
  run(input: Buffer): Promise<Buffer> {
    const next = this.chain.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          const chunks: Buffer[] = [];
          const onData = (d: Buffer) => chunks.push(d);
          const onError = (err: Error) => {
            this.z.off('data', onData);
            reject(err);
          };
          this.z.on('data', onData);
          this.z.once('error', onError);
          this.z.write(input);
          this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            this.z.off('data', onData);
            this.z.off('error', onError);
            resolve(Buffer.concat(chunks));
          });
        }),
    );
    this.chain = next.catch(() => undefined);
    return next;
  }
  close(): void {
    this.z.close();
  }
}

/** One SPDY stream opened by the peer. Writable side → DATA frames; FIN ends the readable side. */
export class SpdyStream extends Duplex {
  private localClosed = false;
  private remoteClosed = false;
  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: SpdyHeaders,
  ) {
    super({ allowHalfOpen: true });
  }

  /** Accepts the stream (SYN_REPLY). */
  reply(headers: SpdyHeaders = {}): Promise<void> {
    return this.session.sendSynReply(this.id, headers);
  }

  /** Peer sent bytes or FIN. */
  receive(data: Buffer, fin: boolean): void {
    if (data.length) this.push(data);
    if (fin && !this.remoteClosed) {
      this.remoteClosed = true;
      this.push(null);
      this.maybeForget();
    }
  }

  /** Peer reset the stream. */
  reset(): void {
    this.remoteClosed = this.localClosed = true;
    this.destroy();
    this.session.forget(this.id);
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const parts: Promise<void>[] = [];
    for (let off = 0; off < chunk.length; off += MAX_DATA) parts.push(this.session.send(dataFrame(this.id, 0, chunk.subarray(off, off + MAX_DATA))));
    Promise.all(parts).then(() => cb(), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.localClosed = true;
    this.session.send(dataFrame(this.id, FLAG_FIN, Buffer.alloc(0))).then(() => {
      this.maybeForget();
      cb();
    }, cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.localClosed || !this.remoteClosed) {
      this.localClosed = this.remoteClosed = true;
      void this.session.sendRst(this.id, RST_CANCEL);
      this.session.forget(this.id);
    }
    cb(err);
  }

  private maybeForget(): void {
    if (this.localClosed && this.remoteClosed) this.session.forget(this.id);
  }
}

export interface SpdySessionEvents {
  stream: [SpdyStream];
  close: [];
}

/**
 * Server end of a SPDY/3.1 session over any byte stream (a raw upgraded socket, or a
 * WebSocket tunnel turned into a Duplex). Emits `stream` for each SYN_STREAM and `close`.
 */
export class SpdySession extends EventEmitter<SpdySessionEvents> {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate = new ZlibContext('inflate');
  private readonly deflate = new ZlibContext('deflate');
  private pending: Buffer = Buffer.alloc(0);
  private inChain: Promise<void> = Promise.resolve();
  private outChain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly transport: Duplex) {
    super();
    transport.on('data', (d: Buffer) => this.onBytes(d));
    transport.on('end', () => this.close());
    transport.on('close', () => this.close());
    transport.on('error', () => this.close());
  }

  /** Queues bytes after everything queued before (header compression is async). */
  send(bytes: Buffer | (() => Promise<Buffer>)): Promise<void> {
    const next = this.outChain.then(async () => {
      const buf = typeof bytes === 'function' ? await bytes() : bytes;
      if (this.closed) throw new Error('spdy session closed');
      await new Promise<void>((resolve, reject) => this.transport.write(buf, (err) => (err ? reject(err) : resolve())));
    });
    this.outChain = next.catch(() => undefined);
    return next;
  }

  sendSynReply(streamId: number, headers: SpdyHeaders): Promise<void> {
    return this.send(async () => {
      const block = await this.deflate.run(encodeHeaderBlock(headers));
      return controlFrame(FrameType.SynReply, 0, Buffer.concat([u32(streamId), block]));
    });
  }

  sendRst(streamId: number, status: number): Promise<void> {
    return this.send(controlFrame(FrameType.RstStream, 0, Buffer.concat([u32(streamId), u32(status)]))).catch(() => undefined);
  }

  forget(id: number): void {
    this.streams.delete(id);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.destroy();
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
    this.transport.destroy();
    this.emit('close');
  }

  private onBytes(d: Buffer): void {
    const { frames, rest } = parseFrames(this.pending.length ? Buffer.concat([this.pending, d]) : d);
    this.pending = Buffer.from(rest);
    for (const f of frames) {
      this.inChain = this.inChain.then(() => this.handle(f)).catch(() => this.close());
    }
  }

  private async handle(f: Frame): Promise<void> {
    if (this.closed) return;
    if (!f.control) {
      const s = this.streams.get(f.streamId);
      if (s) s.receive(Buffer.from(f.data), (f.flags & FLAG_FIN) !== 0);
      else void this.sendRst(f.streamId, RST_PROTOCOL_ERROR);
      return;
    }
    switch (f.type) {
      case FrameType.SynStream: {
        const id = f.data.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaderBlock(await this.inflate.run(f.data.subarray(10)));
        const s = new SpdyStream(this, id, headers);
        this.streams.set(id, s);
        this.emit('stream', s);
        if (f.flags & FLAG_FIN) s.receive(Buffer.alloc(0), true);
        return;
      }
      case FrameType.Headers:
      case FrameType.SynReply:
        // Keep the inflate context in step even though these carry nothing we need.
        await this.inflate.run(f.data.subarray(4));
        return;
      case FrameType.RstStream:
        this.streams.get(f.data.readUInt32BE(0) & 0x7fffffff)?.reset();
        return;
      case FrameType.Ping:
        void this.send(controlFrame(FrameType.Ping, 0, Buffer.from(f.data))).catch(() => undefined);
        return;
      case FrameType.GoAway:
        this.close();
        return;
      default:
        return; // SETTINGS, WINDOW_UPDATE: nothing to do without flow control
    }
  }
}
