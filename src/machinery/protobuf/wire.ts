/**
 * @module A minimal protobuf wire reader (varints, fixed32/64, length-delimited). Every
 * malformed input raises WireError; callers turn it into a 400.
 */

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

const utf8 = new TextDecoder('utf-8');

export class Reader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** A varint as an unsigned 64-bit value. */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new WireError('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** A varint used as a size or tag: must fit comfortably in a JS number. */
  uint32(): number {
    const v = this.varint();
    if (v > 0xffffffffn) throw new WireError('varint out of range');
    return Number(v);
  }

  int32(): number {
    return Number(BigInt.asIntN(32, this.varint()));
  }

  int64(): number {
    return Number(BigInt.asIntN(64, this.varint()));
  }

  bool(): boolean {
    return this.varint() !== 0n;
  }

  double(): number {
    const v = this.view.getFloat64(this.take(8), true);
    return v;
  }

  float(): number {
    return this.view.getFloat32(this.take(4), true);
  }

  bytes(): Uint8Array {
    const len = this.uint32();
    const start = this.take(len);
    return this.buf.subarray(start, start + len);
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  /** Skips one field's value of the given wire type (unknown fields). */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.take(8);
        return;
      case WIRE_BYTES:
        this.bytes();
        return;
      case WIRE_FIXED32:
        this.take(4);
        return;
      default:
        throw new WireError(`unsupported wire type ${wireType}`);
    }
  }

  private take(n: number): number {
    const start = this.pos;
    if (n < 0 || start + n > this.buf.length) throw new WireError('truncated field');
    this.pos = start + n;
    return start;
  }
}
