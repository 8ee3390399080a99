/**
 * @module What every resource handler gets: the parsed request, its store, the caller and the
 * negotiated output, plus query-parameter helpers shared by the verbs.
 */
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../machinery/status.ts';
import { duplicateFields } from '../../machinery/json-duplicates.ts';
import { typeError } from '../openapi/type-errors.ts';
import { bodyText, mayRepeatKeys, mediaType } from './body.ts';
import { cannotBeHandledMessage, isClean, pruneUnknownFields, strictDecodingError, unknownFieldMessage, unknownFields } from '../openapi/unknown-fields.ts';
import type { Store, WriteOptions } from '../registry/generic/store.ts';
import type { ResourceRequestInfo } from '../request-info.ts';
import type { ApiRequest, UserInfo } from '../types.ts';
import type { MediaChoice } from './negotiate.ts';
import { warningHeader } from './respond.ts';
import { auditAnnotationsOption } from '../audit/auditor.ts';

export interface RequestScope {
  req: ApiRequest;
  info: ResourceRequestInfo;
  store: Store;
  user: UserInfo;
  media: MediaChoice;
  now: Date;
}

export function isDryRun(q: URLSearchParams): boolean {
  const v = q.getAll('dryRun');
  for (const d of v) if (d !== 'All' && d !== '') throw StatusError.badRequest(`Invalid dry run value: ${d}, supported values: All`);
  return v.includes('All');
}

/** The fieldManager for a write: explicit, else derived from the User-Agent like upstream. */
export function fieldManagerOf(scope: RequestScope): string {
  const explicit = scope.req.query.get('fieldManager');
  if (explicit) {
    if (explicit.length > 128) throw StatusError.badRequest('fieldManager must not be longer than 128 characters');
    return explicit;
  }
  const ua = scope.req.headers['user-agent'] ?? '';
  const first = ua.split('/')[0] ?? '';
  return first.length ? first.slice(0, 128) : 'unknown';
}

export function writeOptions(scope: RequestScope, subresource = scope.info.subresource): WriteOptions {
  return {
    dryRun: isDryRun(scope.req.query),
    user: scope.user,
    fieldManager: fieldManagerOf(scope),
    subresource,
    warnings: [],
    ...auditAnnotationsOption(scope.req),
  };
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '' || v === 'Warn') return 'Warn';
  if (v === 'Strict' || v === 'Ignore') return v;
  throw StatusError.badRequest(`fieldValidation parameter unsupported: ${v}`);
}

/**
 * Checks a decoded body as Go's decoder would: wrong JSON types are a BadRequest; unknown and
 * duplicate fields are rejected (Strict), reported as warnings (Warn) or silently dropped
 * (Ignore). Unknown fields are removed from `obj` in every mode that accepts it.
 */
export function checkUnknownFields(scope: RequestScope, obj: KubeObject, patch = false): string[] {
  const { group, version, kind } = scope.store.strategy.info;
  const gvk = { group, version, kind };
  // Wrong JSON types never reach the registry, whatever fieldValidation says (Go's decoder).
  // The usual body is proven clean in one walk; only otherwise do the three checks run.
  const clean = isClean(obj, gvk);
  const typeErr = clean ? undefined : typeError(obj, gvk);
  if (typeErr) throw StatusError.badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${typeErr}`);
  const mode = fieldValidationOf(scope.req.query);
  const unknown = mode === 'Ignore' || clean ? [] : unknownFields(obj, gvk);
  const ct = mediaType(scope.req.headers['content-type']);
  const body = !patch && mode !== 'Ignore' && (ct === '' || ct === 'application/json') ? scope.req.body : undefined;
  // Counted before pruning: the pre-check compares the text's keys with the parsed ones.
  const scan = !!body && mayRepeatKeys(bodyText(body), obj);
  // Like Go's decoder, unknown fields are never stored.
  if (!clean) pruneUnknownFields(obj, gvk);
  if (mode === 'Ignore') return [];
  const dups = scan ? duplicateFields(bodyText(body!)) : [];
  if (unknown.length === 0 && dups.length === 0) return [];
  const dupMsgs = dups.map((d) => `duplicate field ${JSON.stringify(d)}`);
  if (mode === 'Strict') {
    const unknownText = unknown.length ? (patch ? strictDecodingError(unknown) : cannotBeHandledMessage(gvk, unknown)) : '';
    const dupText = dupMsgs.length ? `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: strict decoding error: ${dupMsgs.join(', ')}` : '';
    throw StatusError.badRequest(unknownText && dupText ? `${unknownText}, ${dupMsgs.join(', ')}` : unknownText || dupText);
  }
  return [...unknown.map(unknownFieldMessage), ...dupMsgs];
}

export function warningHeaders(warnings: string[]): Record<string, string> {
  // Retried updates (conflicts) may add the same warning twice; upstream sends each once.
  const unique = [...new Set(warnings)];
  return unique.length ? { warning: warningHeader(unique) } : {};
}
