/**
 * @module JSON merge patch (RFC 7386), as `kubectl label`/`annotate` and `patch --type merge`
 * send it: objects merge recursively, `null` deletes, everything else (lists included) replaces.
 * Never mutates its inputs.
 */
import { isPlainObject } from '../../api/object.ts';
import { setField } from './json-value.ts';

/** RFC 7386 MergePatch. Returns a new value; untouched subtrees of `target` are shared. */
export function mergePatchValue(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setField(result, key, mergePatchValue(Object.hasOwn(result, key) ? result[key] : undefined, value));
  }
  return result;
}

/**
 * Applies a merge patch to an API object. Shares no structure with `doc` or `patch`
 * (untouched subtrees are copied too, so callers may mutate the result freely).
 */
export function applyMergePatch<T>(doc: T, patch: unknown): T {
  return mergePatchValue(structuredClone(doc), patch) as T;
}
