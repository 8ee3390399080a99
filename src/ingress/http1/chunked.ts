/**
 * @module Tracks a chunked body (RFC 9112 §7.1) as it streams through the proxy: the bytes are
 * forwarded as they are, and this scanner only finds where each chunk, the last chunk and the
 * trailer end, so the proxy knows where the message stops (and the next pipelined one starts).
 * Strict on the framing, since disagreeing about it is how smuggling works: hex sizes only (no
 * sign, no `0x`, at most 13 digits), optional whitespace and `;` extensions, CRLF everywhere,
 * bounded extension and trailer sizes. Optionally hands the payload bytes to a sink (to
 * de-chunk for an HTTP/1.0 client).
 */
import { HttpError } from './head.ts';

const enum S {
  Size,
  SizeWs,
  Ext,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  Trailer,
  TrailerLf,
  EndLf,
  Done,
}

const maxSizeDigits = 13; // < 2^53
const maxLineBytes = 4096;
const maxTrailerBytes = 16 * 1024;

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

export class ChunkedScanner {
  private s = S.Size;
  private size = 0;
  private digits = 0;
  private line = 0;
  private trailer = 0;

  /** `status`: what a framing error answers (400 for requests, 502 for responses). */
  constructor(private readonly status = 400) {}

  get done(): boolean {
    return this.s === S.Done;
  }

  private fail(what: string): never {
    throw new HttpError(this.status, `bad chunked encoding: ${what}`);
  }

  /**
   * Scans `buf` from offset 0; returns how many of its bytes belong to the body (all of them
   * unless the body ends inside `buf`). `data` receives the payload parts.
   */
  scan(buf: Buffer, data?: (part: Buffer) => void): number {
    let i = 0;
    const n = buf.length;
    while (i < n && this.s !== S.Done) {
      const c = buf[i]!;
      switch (this.s) {
        case S.Size: {
          const h = hex(c);
          if (h >= 0) {
            if (++this.digits > maxSizeDigits) this.fail('chunk size too long');
            this.size = this.size * 16 + h;
          } else if (this.digits === 0) this.fail('missing chunk size');
          else if (c === 0x20 || c === 0x09) this.s = S.SizeWs;
          else if (c === 0x3b) this.s = S.Ext;
          else if (c === 0x0d) this.s = S.SizeLf;
          else this.fail('invalid chunk size');
          break;
        }
        case S.SizeWs:
          if (c === 0x3b) this.s = S.Ext;
          else if (c === 0x0d) this.s = S.SizeLf;
          else if (c !== 0x20 && c !== 0x09) this.fail('invalid chunk size');
          break;
        case S.Ext:
          if (c === 0x0d) this.s = S.SizeLf;
          else if (c === 0x0a || c === 0) this.fail('invalid chunk extension');
          break;
        case S.SizeLf:
          if (c !== 0x0a) this.fail('expected LF after chunk size');
          this.s = this.size === 0 ? S.TrailerStart : S.Data;
          this.digits = 0;
          this.line = 0;
          break;
        case S.Data: {
          const take = Math.min(this.size, n - i);
          data?.(buf.subarray(i, i + take));
          this.size -= take;
          i += take;
          if (this.size === 0) this.s = S.DataCr;
          continue;
        }
        case S.DataCr:
          if (c !== 0x0d) this.fail('expected CRLF after chunk data');
          this.s = S.DataLf;
          break;
        case S.DataLf:
          if (c !== 0x0a) this.fail('expected CRLF after chunk data');
          this.s = S.Size;
          break;
        case S.TrailerStart:
          if (c === 0x0d) this.s = S.EndLf;
          else if (c === 0x20 || c === 0x09 || c === 0x0a) this.fail('invalid trailer');
          else this.s = S.Trailer;
          break;
        case S.Trailer:
          if (c === 0x0d) this.s = S.TrailerLf;
          else if (c === 0x0a || c === 0) this.fail('invalid trailer');
          break;
        case S.TrailerLf:
          if (c !== 0x0a) this.fail('expected LF in trailer');
          this.s = S.TrailerStart;
          break;
        case S.EndLf:
          if (c !== 0x0a) this.fail('expected LF after the last chunk');
          this.s = S.Done;
          break;
      }
      i++;
      if (this.s === S.Ext || this.s === S.Size || this.s === S.SizeWs) {
        if (++this.line > maxLineBytes) this.fail('chunk size line too long');
      } else if (this.s === S.Trailer || this.s === S.TrailerLf || this.s === S.TrailerStart) {
        if (++this.trailer > maxTrailerBytes) this.fail('trailer too large');
      }
    }
    return i;
  }
}
