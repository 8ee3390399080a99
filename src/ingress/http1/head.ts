/**
 * @module A small, strict HTTP/1.1 head parser for the ingress data path (RFC 9112): request
 * line or status line plus the header fields as a flat `[name, value, …]` list, from a Buffer.
 * Strict where leniency enables request smuggling: CRLF line ends only, no whitespace before a
 * field's colon, no obsolete line folding, no control characters, HTTP/1.0 or 1.1 only. A head
 * over 16 KiB is a 431 (nginx's `large_client_header_buffers` answers 400/414/494; 431 is the
 * status RFC 6585 defines), anything malformed a 400.
 */

export const maxHeadBytes = 16 * 1024;

/** A protocol error with the status to answer (the connection is closed after it). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestHead {
  method: string;
  target: string;
  /** 10 or 11 (HTTP/1.0, HTTP/1.1). */
  version: number;
  /** Field names as sent (use `field`/`fields` to look up case-insensitively), values trimmed. */
  headers: string[];
}

export interface ResponseHead {
  version: number;
  status: number;
  reason: string;
  headers: string[];
}

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible ASCII, obs-text, SP and HTAB; no CR, LF or NUL.
const fieldValue = /^[\t\x20-\x7e\x80-\xff]*$/;
const target = /^[\x21-\x7e\x80-\xff]+$/;
const crlf2 = Buffer.from('\r\n\r\n');

/**
 * The offset just past the head's empty line, or -1 when the head is not complete yet. Throws
 * 431 (`status` of the error) when the head does not fit in `limit` bytes.
 */
export function headEnd(buf: Buffer, limit = maxHeadBytes, from = 0): number {
  const i = buf.indexOf(crlf2, Math.max(0, from - 3));
  if (i < 0) {
    if (buf.length > limit) throw new HttpError(431, 'request header fields too large');
    return -1;
  }
  if (i + 4 > limit) throw new HttpError(431, 'request header fields too large');
  return i + 4;
}

function versionOf(v: string | undefined, status: number): number {
  if (v === 'HTTP/1.1') return 11;
  if (v === 'HTTP/1.0') return 10;
  if (v !== undefined && /^HTTP\/\d\.\d$/.test(v)) throw new HttpError(status === 400 ? 505 : status, `unsupported version ${v}`);
  throw new HttpError(status, 'malformed start line');
}

function parseFields(lines: string[], status: number): string[] {
  const out: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue; // the trailing empty line
    const c = line.indexOf(':');
    // c === 0: empty name; a leading SP/HTAB is obsolete folding (smuggling vector) → invalid name.
    if (c <= 0) throw new HttpError(status, 'malformed header line');
    const name = line.slice(0, c);
    if (!token.test(name)) throw new HttpError(status, `invalid header name ${JSON.stringify(name)}`);
    const value = line.slice(c + 1).trim();
    if (!fieldValue.test(value)) throw new HttpError(status, `invalid value in header ${name}`);
    out.push(name, value);
  }
  return out;
}

function lines(buf: Buffer, end: number): string[] {
  // latin1 keeps every byte as one char, so obs-text survives a round trip.
  return buf.toString('latin1', 0, end - 4).split('\r\n');
}

/** Parses a complete request head (`end` from `headEnd`). Throws `HttpError` 400/505. */
export function parseRequestHead(buf: Buffer, end: number): RequestHead {
  const ls = lines(buf, end);
  const parts = ls[0]!.split(' ');
  if (parts.length !== 3 || !token.test(parts[0]!) || !target.test(parts[1]!)) throw new HttpError(400, 'malformed request line');
  const version = versionOf(parts[2], 400);
  return { method: parts[0]!, target: parts[1]!, version, headers: parseFields(ls, 400) };
}

/** Parses a complete response head. Throws `HttpError` 502 (a broken upstream). */
export function parseResponseHead(buf: Buffer, end: number): ResponseHead {
  const ls = lines(buf, end);
  const first = ls[0]!;
  const sp1 = first.indexOf(' ');
  const version = versionOf(sp1 < 0 ? first : first.slice(0, sp1), 502);
  const code = first.slice(sp1 + 1, sp1 + 4);
  if (!/^[1-9]\d\d$/.test(code) || (first.length > sp1 + 4 && first[sp1 + 4] !== ' ')) throw new HttpError(502, 'malformed status line');
  const reason = first.slice(sp1 + 5);
  if (!fieldValue.test(reason)) throw new HttpError(502, 'malformed reason phrase');
  return { version, status: Number(code), reason, headers: parseFields(ls, 502) };
}

/** Every value of a header field (name in lower case). */
export function fields(headers: string[], lower: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (headers[i]!.length === lower.length && headers[i]!.toLowerCase() === lower) out.push(headers[i + 1]!);
  return out;
}

/** The first value of a header field (name in lower case). */
export function field(headers: string[], lower: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) if (headers[i]!.length === lower.length && headers[i]!.toLowerCase() === lower) return headers[i + 1];
  return undefined;
}

/** Comma-separated list members of every value of a field, trimmed and lower-cased. */
export function tokens(headers: string[], lower: string): string[] {
  const out: string[] = [];
  for (const v of fields(headers, lower)) for (const t of v.split(',')) if (t.trim()) out.push(t.trim().toLowerCase());
  return out;
}
