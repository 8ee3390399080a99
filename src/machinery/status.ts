/**
 * @module Kubernetes `Status` errors: one StatusError class, constructors named after the
 * upstream reasons (apimachinery/pkg/api/errors), and predicates. Every non-2xx API response
 * is one of these, serialised with `toStatus()`.
 */
import type { Status, StatusCause, StatusDetails } from 'kubernetes-types/meta/v1.js';
import { fieldErrorMessage, type FieldError } from '../api/field-error.ts';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

/** Identifies a resource in messages: `deployments.apps`, `pods`. */
export interface Qualified {
  group: string;
  resource: string;
}

function qualifiedName(q: Qualified): string {
  return q.group ? `${q.resource}.${q.group}` : q.resource;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Status {
    const s: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }

  static badRequest(message: string): StatusError {
    return new StatusError(400, 'BadRequest', message);
  }
  static unauthorized(message = 'Unauthorized'): StatusError {
    return new StatusError(401, 'Unauthorized', message);
  }
  static forbidden(q: Qualified, name: string, why: string): StatusError {
    const target = name ? `${qualifiedName(q)} "${name}"` : qualifiedName(q);
    return new StatusError(403, 'Forbidden', `${target} is forbidden: ${why}`, {
      name: name || undefined,
      group: q.group,
      kind: q.resource,
    });
  }
  static notFound(q: Qualified, name: string): StatusError {
    return new StatusError(404, 'NotFound', `${qualifiedName(q)} "${name}" not found`, {
      name,
      group: q.group,
      kind: q.resource,
    });
  }
  /** A 404 for a path that names no resource at all. */
  static pathNotFound(): StatusError {
    return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
  }
  static alreadyExists(q: Qualified, name: string): StatusError {
    return new StatusError(409, 'AlreadyExists', `${qualifiedName(q)} "${name}" already exists`, {
      name,
      group: q.group,
      kind: q.resource,
    });
  }
  static conflict(q: Qualified, name: string, why: string, causes?: StatusCause[]): StatusError {
    return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(q)} "${name}": ${why}`, {
      name,
      group: q.group,
      kind: q.resource,
      causes,
    });
  }
  /** The optimistic-concurrency conflict (stale resourceVersion). */
  static staleConflict(q: Qualified, name: string): StatusError {
    return StatusError.conflict(
      q,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  }
  static invalid(kind: { group: string; kind: string }, name: string, errors: FieldError[]): StatusError {
    const causes: StatusCause[] = errors.map((e) => ({
      reason: e.type,
      message: fieldErrorMessage(e),
      field: e.field,
    }));
    const qualifiedKind = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
    const summary =
      causes.length === 1
        ? `${causes[0]!.field}: ${causes[0]!.message}`
        : `[${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}]`;
    return new StatusError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, {
      name,
      group: kind.group,
      kind: kind.kind,
      causes,
    });
  }
  static gone(message: string): StatusError {
    return new StatusError(410, 'Gone', message);
  }
  static expired(message: string): StatusError {
    return new StatusError(410, 'Expired', message);
  }
  static methodNotAllowed(message = 'the server does not allow this method on the requested resource'): StatusError {
    return new StatusError(405, 'MethodNotAllowed', message);
  }
  static notAcceptable(message: string): StatusError {
    return new StatusError(406, 'NotAcceptable', message);
  }
  static tooLarge(message = 'the request is too large'): StatusError {
    return new StatusError(413, 'RequestEntityTooLarge', message);
  }
  static unsupportedMediaType(message: string): StatusError {
    return new StatusError(415, 'UnsupportedMediaType', message);
  }
  static tooManyRequests(message: string, retryAfterSeconds?: number): StatusError {
    return new StatusError(429, 'TooManyRequests', message, retryAfterSeconds ? { retryAfterSeconds } : undefined);
  }
  static internal(message: string): StatusError {
    return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ message }],
    });
  }
  static unavailable(message: string): StatusError {
    return new StatusError(503, 'ServiceUnavailable', message);
  }
  static timeout(message: string): StatusError {
    return new StatusError(504, 'Timeout', message);
  }
}

export const isStatusError = (e: unknown): e is StatusError => e instanceof StatusError;
const has = (reason: StatusReason) => (e: unknown) => e instanceof StatusError && e.reason === reason;
export const isNotFound = has('NotFound');
export const isAlreadyExists = has('AlreadyExists');
export const isConflict = has('Conflict');
export const isInvalid = has('Invalid');
export const isForbidden = has('Forbidden');
export const isExpired = (e: unknown) => e instanceof StatusError && (e.reason === 'Expired' || e.reason === 'Gone');

/** Rebuilds a StatusError from a Status body received over the wire (used by clients). */
export function statusErrorFrom(status: Status, httpCode: number): StatusError {
  const reason = (status.reason as StatusReason | undefined) ?? 'InternalError';
  return new StatusError(status.code ?? httpCode, reason, status.message ?? reason, status.details);
}
