/**
 * @module Building ApiResponses: JSON bodies and Status errors.
 */
import { StatusError } from '../../machinery/status.ts';
import type { ApiResponse } from '../types.ts';

const encoder = new TextEncoder();

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: encoder.encode(JSON.stringify(body)),
  };
}

export function text(status: number, body: string, contentType = 'text/plain; charset=utf-8'): ApiResponse {
  return { status, headers: { 'content-type': contentType }, body: encoder.encode(body) };
}

export function errorResponse(err: StatusError): ApiResponse {
  const headers: Record<string, string> = {};
  const retry = err.details?.retryAfterSeconds;
  if (retry) headers['retry-after'] = String(retry);
  return json(err.code, err.toStatus(), headers);
}

/** A `Warning: 299 - "text"` header value (RFC 7234 quoted-string, inner quotes escaped). */
export function warningHeader(messages: string[]): string {
  return messages.map((m) => `299 - "${m.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(', ');
}
