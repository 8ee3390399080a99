/**
 * @module kubelet/server/streams/spdy-testing
 * Test support: two connected in-memory Duplex ends, and a minimal SPDY client (the part of
 * spdystream that port-forward exercises), for protocol tests without kubectl.
 */
import { Duplex, PassThrough } from 'node:stream';
import { controlFrame, decodeHeaderBlock, encodeHeaderBlock, FLAG_FIN, FrameType, parseFrames, ZlibContext } from './spdy.ts';

export function duplexPair(): [Duplex, Duplex] {
  let a!: Duplex;
  let b!: Duplex;
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        peer().push(chunk);
        cb();
      },
      final(cb) {
        peer().push(null);
        cb();
      },
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}

/** A minimal SPDY client: the part of spdystream port-forward exercises. */
export class TestSpdyClient {
  readonly deflate = new ZlibContext('deflate');
  readonly inflate = new ZlibContext('inflate');
  readonly received = new PassThrough({ objectMode: true });
  private pending = Buffer.alloc(0);
  constructor(readonly wire: { write(b: Buffer): unknown; on(ev: 'data', f: (d: Buffer) => void): unknown }) {
    let chain = Promise.resolve();
    wire.on('data', (d) => {
      const { frames, rest } = parseFrames(Buffer.concat([this.pending, d]));
      this.pending = Buffer.from(rest);
      for (const f of frames) {
        chain = chain.then(async () => {
          if (f.control && f.type === FrameType.SynReply) {
            this.received.write({ reply: f.data.readUInt32BE(0), headers: decodeHeaderBlock(await this.inflate.run(f.data.subarray(4))) });
          } else this.received.write(f);
        });
      }
    });
  }
  async open(id: number, headers: Record<string, string>, fin = false): Promise<void> {
    const block = await this.deflate.run(encodeHeaderBlock(headers));
    const head = Buffer.alloc(10);
    head.writeUInt32BE(id, 0);
    this.wire.write(controlFrame(FrameType.SynStream, fin ? FLAG_FIN : 0, Buffer.concat([head, block])));
  }
  close(): void {
    this.deflate.close();
    this.inflate.close();
  }
}

