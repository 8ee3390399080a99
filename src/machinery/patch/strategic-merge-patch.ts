/**
 * @module Strategic merge patch, applied server-side (apimachinery strategicpatch
 * `StrategicMergeMapPatch`): maps merge with `null` deleting; lists follow the field's patch
 * strategy from patch-meta (merge by key, primitive union, or atomic replace); and the
 * directives `$patch` (replace/delete/merge), `$retainKeys`, `$deleteFromPrimitiveList/<f>` and
 * `$setElementOrder/<f>` are honoured. Never mutates its inputs.
 *
 * One deliberate difference: where upstream copies a patch value into the object (a new key,
 * a changed type, an appended list element) after stripping nulls and `$patch` maps, relying on
 * typed decoding to drop other leftover directives, this merges the value into an empty one,
 * so no directive or null ever reaches storage.
 */
import { StatusError } from '../status.ts';
import { normalizeElementOrder, partition, validateSetElementOrder } from './element-order.ts';
import { goFormat, jsonKind } from './go-json.ts';
import { type JsonMap, isJsonMap, setField, valueKind } from './json-value.ts';
import { type GroupVersionKind, type PatchMeta, patchMetaFor } from './patch-meta.ts';
import {
  errBadArgType,
  errBadPatchType,
  errBadPrimitiveList,
  errBadRetainKeys,
  errBadSetElementOrder,
  errNoListOfLists,
  errNoMergeKey,
  SmpError,
} from './smp-errors.ts';

const directiveMarker = '$patch';
const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';

const has = (m: JsonMap, k: string) => Object.hasOwn(m, k);

/** `$setElementOrder/containers` → `containers`. */
function extractKey(directiveKey: string, onError: () => SmpError): string {
  const slash = directiveKey.indexOf('/');
  if (slash < 0) throw onError();
  return directiveKey.slice(slash + 1);
}

const isMergeList = (meta: PatchMeta) => meta.kind === 'list' && meta.strategy === 'merge';

/** A patch value landing where the object has nothing comparable: merged into an empty value. */
function fresh(value: unknown, meta: PatchMeta): unknown {
  if (isJsonMap(value)) return mergeMap({}, value, meta);
  if (Array.isArray(value) && isMergeList(meta)) return mergeList([], value, meta);
  return value;
}

function mergeMap(original: JsonMap, patch: JsonMap, meta: PatchMeta): JsonMap {
  if (has(patch, directiveMarker)) {
    const directive = patch[directiveMarker];
    const rest = { ...patch };
    delete rest[directiveMarker];
    if (directive === 'replace') return mergeMap({}, rest, meta);
    if (directive === 'delete') return {};
    // Upstream rejects an explicit "merge" in a map; it is the default, so accept it.
    if (directive !== 'merge') throw errBadPatchType(directive, patch);
    patch = rest;
  }
  applyRetainKeys(original, patch);
  applySetElementOrders(original, patch, meta);

  for (const [rawKey, patchValue] of Object.entries(patch)) {
    if (rawKey.startsWith(deleteFromPrimitiveListPrefix)) {
      deleteFromPrimitiveList(original, extractKey(rawKey, errBadPrimitiveList), patchValue);
      continue;
    }
    const key = rawKey;
    const fieldMeta = meta.field(key);
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const current = has(original, key) ? original[key] : undefined;
    const kind = valueKind(patchValue);
    if (current === undefined || valueKind(current) !== kind) {
      // Nothing comparable on the server. Upstream (removeDirectives) drops a map carrying a
      // `$patch` directive here; we only do so for `delete`, and merge anything else into empty.
      if (isJsonMap(patchValue) && patchValue[directiveMarker] === 'delete') delete original[key];
      else setField(original, key, fresh(patchValue, fieldMeta));
    } else if (kind === 'map') {
      const merged =
        fieldMeta.kind === 'map' && fieldMeta.strategy === 'replace'
          ? mergeMap({}, patchValue as JsonMap, fieldMeta)
          : mergeMap(current as JsonMap, patchValue as JsonMap, fieldMeta);
      setField(original, key, merged);
    } else if (kind === 'list') setField(original, key, mergeListField(current as unknown[], patchValue as unknown[], fieldMeta));
    else setField(original, key, patchValue);
  }
  return original;
}

/** Lists merge only when the schema says so; otherwise the patch replaces them. */
function mergeListField(current: unknown[], patch: unknown[], meta: PatchMeta): unknown[] {
  return isMergeList(meta) ? mergeList(current, patch, meta) : patch;
}

/** The kind shared by every element; lists of lists and mixed lists are errors. */
function elementKind(...lists: unknown[][]): string | undefined {
  let kind: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const k = valueKind(item);
      if (k === 'list') throw errNoListOfLists();
      if (kind === undefined) kind = k;
      else if (kind !== k) throw new SmpError(`list element types are not identical: ${goFormat(lists)}`);
    }
  }
  return kind;
}

function mergeList(original: unknown[], patch: unknown[], meta: PatchMeta): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  if (kind !== 'map') {
    // Primitive set: union, then order.
    const merged: unknown[] = [];
    for (const v of [...original, ...patch]) if (!merged.includes(v)) merged.push(v);
    const [patchItems, serverOnly] = partition(merged, patch, undefined);
    return normalizeElementOrder(patchItems, serverOnly, patch, original, undefined);
  }
  const key = meta.mergeKey;
  if (key === undefined) throw new SmpError('cannot merge lists without merge key for type struct');
  const itemMeta = meta.items();

  // `$patch` elements first: deletions by key, or replace-the-whole-list.
  let server = original;
  const plain: JsonMap[] = [];
  let replace = false;
  for (const item of patch as JsonMap[]) {
    if (!has(item, directiveMarker)) {
      plain.push(item);
      continue;
    }
    const directive = item[directiveMarker];
    if (directive === 'delete') {
      if (!has(item, key)) throw errNoMergeKey(item, key);
      server = server.filter((o) => !(isJsonMap(o) && has(o, key) && o[key] === item[key]));
    } else if (directive === 'replace') replace = true;
    else if (directive === 'merge') throw new SmpError('merging lists cannot yet be specified in the patch');
    else throw errBadPatchType(directive, item);
  }
  if (replace) return plain.map((item) => mergeMap({}, item, itemMeta));

  const merged = [...server];
  for (const item of plain) {
    if (!has(item, key)) throw errNoMergeKey(item, key);
    const i = merged.findIndex((o) => isJsonMap(o) && has(o, key) && o[key] === item[key]);
    if (i >= 0) merged[i] = mergeMap(merged[i] as JsonMap, item, itemMeta);
    else merged.push(mergeMap({}, item, itemMeta));
  }
  const [patchItems, serverOnly] = partition(merged, plain, key);
  return normalizeElementOrder(patchItems, serverOnly, plain, server, key);
}

/** `$retainKeys`: every key the patch sets must be listed; unlisted keys are cleared. */
function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!has(patch, retainKeysDirective)) return;
  const list = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(list)) throw errBadRetainKeys();
  const keep = new Set<unknown>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
    if (!keep.has(k)) throw errBadRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

function deleteFromPrimitiveList(original: JsonMap, key: string, values: unknown): void {
  if (!Array.isArray(values)) throw errBadPrimitiveList();
  const current = original[key];
  if (!Array.isArray(current)) return;
  setField(original, key, current.filter((v) => !values.includes(v)));
}

/**
 * `$setElementOrder/<f>`: merges the patch's `<f>` (if any) into the live list, then orders the
 * result: listed items in the directive's order, server-only items interleaved by live position.
 * Both the directive and `<f>` are consumed from `patch`.
 */
function applySetElementOrders(original: JsonMap, patch: JsonMap, meta: PatchMeta): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(setElementOrderPrefix)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    if (!Array.isArray(order)) throw errBadArgType('list', order);
    const field = extractKey(directiveKey, errBadSetElementOrder);
    const fieldMeta = meta.field(field);
    const live = has(original, field) ? original[field] : undefined;
    const patchList = has(patch, field) ? patch[field] : undefined;
    if (patchList === null) continue; // the list is being deleted; nothing to order
    if (live !== undefined && !Array.isArray(live)) throw errBadArgType('list', live);
    if (patchList !== undefined && !Array.isArray(patchList)) throw errBadArgType('list', patchList);

    const sample = [...(live ?? []), ...(patchList ?? []), ...order].find((x) => x !== null);
    const key = fieldMeta.mergeKey !== undefined && isJsonMap(sample) ? fieldMeta.mergeKey : undefined;
    validateSetElementOrder(patchList ?? [], order, key);

    let merged: unknown[];
    if (live && patchList) merged = mergeListField(live, patchList, fieldMeta);
    else if (live) merged = live;
    else if (patchList) merged = fresh(patchList, fieldMeta) as unknown[];
    else continue;
    delete patch[field];
    if (merged.length === 0) {
      setField(original, field, merged);
      continue;
    }
    const [listed, serverOnly] = partition(merged, order, key);
    setField(original, field, normalizeElementOrder(listed, serverOnly, order, live ?? [], key));
  }
}

/**
 * Applies a strategic merge patch (already JSON-decoded) to a copy of `doc`, using the patch
 * metadata of `gvk`. Errors are 400 BadRequest (422 for lists of lists), as upstream.
 */
export function applyStrategicMergePatch<T>(doc: T, patch: unknown, gvk: GroupVersionKind): T {
  if (!isJsonMap(patch))
    throw StatusError.badRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
  if (!isJsonMap(doc)) throw StatusError.badRequest('invalid JSON document');
  try {
    return mergeMap(structuredClone(doc), structuredClone(patch), patchMetaFor(gvk)) as T;
  } catch (e) {
    if (e instanceof SmpError) throw e.toStatusError();
    if (e instanceof RangeError) throw StatusError.badRequest('the patch is nested too deeply');
    throw e;
  }
}
