/**
 * @module JSON patch (RFC 6902) via fast-json-patch, with the apiserver's error contract
 * (apiserver pkg/endpoints/handlers/patch.go `applyJSPatch`): a patch that does not decode is
 * 400 BadRequest, more than 10000 operations is 413, and an operation that cannot be applied
 * (missing path, failed `test`, unknown op) is 422 Invalid with the json-patch library's
 * message as the cause. Never mutates its inputs.
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { StatusError } from '../status.ts';
import { jsonKind } from './go-json.ts';

const maxOperations = 10000;

/** NewGenericServerResponse(422, …): the message kubectl prints, the library's text as cause. */
function unprocessable(message: string): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    group: '',
    kind: '',
    name: '',
    causes: [{ reason: 'UnexpectedServerResponse', message }],
  });
}

function unescapeToken(t: string): string {
  return t.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Resolves a JSON pointer; undefined when any step is missing. */
function resolve(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let cur: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const t = unescapeToken(raw);
    if (Array.isArray(cur)) cur = /^\d+$/.test(t) ? cur[Number(t)] : undefined;
    else if (cur !== null && typeof cur === 'object' && Object.hasOwn(cur, t)) cur = (cur as Record<string, unknown>)[t];
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** The message evanphx/json-patch (what the apiserver uses) gives for the same failure. */
function goMessage(e: InstanceType<typeof jsonpatch.JsonPatchError>): string {
  const op: Record<string, unknown> = e.operation !== null && typeof e.operation === 'object' ? (e.operation as Record<string, unknown>) : {};
  const kind = typeof op.op === 'string' ? op.op : '';
  const path = typeof op.path === 'string' ? op.path : '';
  const from = typeof op.from === 'string' ? op.from : '';
  const tokens = path.split('/');
  const key = unescapeToken(tokens[tokens.length - 1] ?? '');
  const parent = resolve(e.tree, tokens.slice(0, -1).join('/'));
  const parentExists = parent !== null && typeof parent === 'object';
  switch (e.name) {
    case 'OPERATION_OP_INVALID':
      return `Unexpected kind: ${kind}`;
    case 'TEST_OPERATION_FAILED':
      return `testing value ${path} failed: test failed`;
    case 'OPERATION_FROM_UNRESOLVABLE':
    case 'OPERATION_FROM_REQUIRED':
      return `${kind} operation does not apply: doc is missing from path: ${from}: missing value`;
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
      return `error in ${kind} for path: '${path}': Unable to access invalid index: ${key}: invalid index referenced`;
    case 'OPERATION_PATH_INVALID':
      if (typeof op.path !== 'string') return `${kind} operation failed to decode path: missing value`;
      break;
    case 'OPERATION_PATH_UNRESOLVABLE':
    case 'OPERATION_PATH_CANNOT_ADD':
      if (parentExists && kind === 'remove') return `error in remove for path: '${path}': Unable to remove nonexistent key: ${key}: missing value`;
      if (parentExists && kind === 'replace') return `replace operation does not apply: doc is missing key: ${path}: missing value`;
      break;
    default:
      return e.message;
  }
  if (kind === 'test') return `test operation does not apply: is missing path: ${path}: missing value`;
  if (kind === 'replace') return `replace operation does not apply: doc is missing path: ${path}: missing value`;
  return `${kind} operation does not apply: doc is missing path: "${path}": missing value`;
}

/** Applies an RFC 6902 patch (already JSON-decoded) to a copy of `doc`. */
export function applyJsonPatch<T>(doc: T, patch: unknown): T {
  if (!Array.isArray(patch))
    throw StatusError.badRequest(`error decoding patch: json: cannot unmarshal ${jsonKind(patch)} into Go value of type []handlers.jsonPatchOp`);
  for (const op of patch) {
    if (op === null || typeof op !== 'object' || Array.isArray(op))
      throw StatusError.badRequest(`error decoding patch: json: cannot unmarshal ${jsonKind(op)} into Go value of type handlers.jsonPatchOp`);
  }
  if (patch.length > maxOperations)
    throw StatusError.tooLarge(`The allowed maximum operations in a JSON patch is ${maxOperations}, got ${patch.length}`);
  // Values from the patch are inserted by reference, so the patch is copied as well as the doc.
  const ops = structuredClone(patch) as Operation[];
  try {
    return jsonpatch.applyPatch(structuredClone(doc), ops, true, true, true).newDocument;
  } catch (e) {
    if (e instanceof jsonpatch.JsonPatchError) throw unprocessable(goMessage(e));
    // fast-json-patch refuses `__proto__` paths with a TypeError.
    if (e instanceof TypeError) throw unprocessable(e.message);
    throw e;
  }
}
