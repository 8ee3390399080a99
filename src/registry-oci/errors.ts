/**
 * @module Errors of the OCI distribution protocol: the spec's error codes with the HTTP status
 * and message the reference registry (distribution/distribution) gives each, written as the
 * spec's `{"errors":[{"code","message","detail"}]}` body.
 */

export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'TAG_INVALID'
  | 'RANGE_INVALID'
  | 'UNSUPPORTED'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNKNOWN';

const table: Record<RegistryErrorCode, [status: number, message: string]> = {
  BLOB_UNKNOWN: [404, 'blob unknown to registry'],
  BLOB_UPLOAD_INVALID: [400, 'blob upload invalid'],
  BLOB_UPLOAD_UNKNOWN: [404, 'blob upload unknown to registry'],
  DIGEST_INVALID: [400, 'provided digest did not match uploaded content'],
  MANIFEST_BLOB_UNKNOWN: [400, 'blob unknown to registry'],
  MANIFEST_INVALID: [400, 'manifest invalid'],
  MANIFEST_UNKNOWN: [404, 'manifest unknown'],
  NAME_INVALID: [400, 'invalid repository name'],
  NAME_UNKNOWN: [404, 'repository name not known to registry'],
  SIZE_INVALID: [400, 'provided length did not match content length'],
  TAG_INVALID: [400, 'manifest tag did not match URI'],
  RANGE_INVALID: [416, 'invalid content range'],
  UNSUPPORTED: [405, 'The operation is unsupported.'],
  UNAUTHORIZED: [401, 'authentication required'],
  DENIED: [403, 'requested access to the resource is denied'],
  UNKNOWN: [500, 'unknown error'],
};

export class RegistryError extends Error {
  readonly status: number;
  constructor(
    readonly code: RegistryErrorCode,
    readonly detail?: unknown,
    message?: string,
  ) {
    super(message ?? table[code][1]);
    this.status = table[code][0];
  }

  body(): string {
    return JSON.stringify({ errors: [{ code: this.code, message: this.message, detail: this.detail ?? null }] });
  }
}

/** Repository name grammar of the distribution spec (path components joined by `/`). */
const nameRe = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const tagRe = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const digestRe = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function checkName(name: string): void {
  if (name.length > 255 || !nameRe.test(name)) throw new RegistryError('NAME_INVALID', { name });
}

export function isDigest(ref: string): boolean {
  return digestRe.test(ref);
}

export function checkDigest(digest: string): void {
  if (!isDigest(digest)) throw new RegistryError('DIGEST_INVALID', { digest }, 'invalid digest');
}

export function checkTag(tag: string): void {
  if (!tagRe.test(tag)) throw new RegistryError('TAG_INVALID', { tag }, 'invalid tag');
}
