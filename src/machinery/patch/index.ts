/**
 * @module The PATCH entry point: classifies the request Content-Type into a patch type, decodes
 * the body (JSON; a body that does not parse is 400 BadRequest with Go's encoding/json wording)
 * and dispatches to json-patch, merge-patch or strategic-merge-patch. Server-side apply
 * (`application/apply-patch+yaml`) is only classified here; it lives in ../apply/.
 */
import { StatusError } from '../status.ts';
import { GoJsonSyntaxError, jsonKind, parseGoJson } from './go-json.ts';
import { applyJsonPatch } from './json-patch.ts';
import { isJsonMap } from './json-value.ts';
import { applyMergePatch } from './merge-patch.ts';
import type { GroupVersionKind } from './patch-meta.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';

export { applyJsonPatch } from './json-patch.ts';
export { applyMergePatch, mergePatchValue } from './merge-patch.ts';
export { applyStrategicMergePatch } from './strategic-merge-patch.ts';
export { patchMetaAt, patchMetaFor, type GroupVersionKind, type PatchMeta } from './patch-meta.ts';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const mediaTypes: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The patch type a Content-Type names (parameters such as `; charset=utf-8` are ignored). */
export function patchTypeFromContentType(ct: string | undefined): PatchType | undefined {
  if (!ct) return undefined;
  const media = ct.split(';')[0]!.trim().toLowerCase();
  return Object.hasOwn(mediaTypes, media) ? mediaTypes[media] : undefined;
}

/** The Content-Type for a patch type (what a client sends). */
export function contentTypeForPatchType(type: PatchType): string {
  return Object.keys(mediaTypes).find((k) => mediaTypes[k] === type)!;
}

function decode(body: Uint8Array, prefix: string): unknown {
  try {
    return parseGoJson(body);
  } catch (e) {
    if (e instanceof GoJsonSyntaxError) throw StatusError.badRequest(`${prefix}${e.message}`);
    throw e;
  }
}

/**
 * Decodes `patchBody` and applies it to a copy of `doc`. Messages follow the apiserver with
 * its default `fieldValidation=Warn`: json and merge patches that do not decode are reported as
 * `error decoding patch: …`, strategic ones as the bare decoding error.
 */
export function applyPatch<T>(type: 'json' | 'merge' | 'strategic', doc: T, patchBody: Uint8Array, gvk: GroupVersionKind): T {
  switch (type) {
    case 'json':
      return applyJsonPatch(doc, decode(patchBody, 'error decoding patch: '));
    case 'merge': {
      const patch = decode(patchBody, 'error decoding patch: ');
      if (!isJsonMap(patch))
        throw StatusError.badRequest(`error decoding patch: json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
      return applyMergePatch(doc, patch);
    }
    case 'strategic':
      return applyStrategicMergePatch(doc, decode(patchBody, ''), gvk);
  }
}
