/**
 * @module List ordering for strategic merge patch (strategicpatch `normalizeElementOrder`,
 * `mergeSortedSlice`, `validatePatchWithSetOrderList`): items named by the patch (or by
 * `$setElementOrder`) take the patch's order, server-only items keep their live order, and the
 * two groups are interleaved using live positions.
 */
import { goFormat } from './go-json.ts';
import { type JsonMap, isJsonMap } from './json-value.ts';
import { errBadArgType, errNoMergeKey, SmpError } from './smp-errors.ts';

/** The identity of a list item: its merge-key value for maps, itself for primitives. */
function identity(item: unknown, key: string | undefined): unknown {
  if (key === undefined) return item;
  return isJsonMap(item) ? item[key] : undefined;
}

export function indexIn(list: readonly unknown[], item: unknown, key: string | undefined): number {
  const id = identity(item, key);
  return list.findIndex((x) => identity(x, key) === id);
}

/** Splits `merged` into items present in `by` and the rest, keeping relative order. */
export function partition(merged: readonly unknown[], by: readonly unknown[], key: string | undefined): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const rest: unknown[] = [];
  for (const item of merged) {
    if (key !== undefined) {
      if (!isJsonMap(item)) throw errBadArgType('map', item);
      if (!Object.hasOwn(item, key)) throw errNoMergeKey(item, key);
    }
    (indexIn(by, item, key) >= 0 ? inBy : rest).push(item);
  }
  return [inBy, rest];
}

function requireKeys(list: readonly unknown[], key: string): void {
  for (const item of list) {
    if (!isJsonMap(item)) throw errBadArgType('map', item);
    if (!Object.hasOwn(item, key)) throw errNoMergeKey(item, key);
  }
}

/** Stable sort by position in `order`; items absent from `order` go last. */
function sortByOrder(items: readonly unknown[], order: readonly unknown[], key: string | undefined): unknown[] {
  const pos = (x: unknown) => {
    const i = indexIn(order, x, key);
    return i < 0 ? Number.POSITIVE_INFINITY : i;
  };
  return items
    .map((item, i) => ({ item, i, p: pos(item) }))
    .sort((a, b) => (a.p === b.p ? a.i - b.i : a.p < b.p ? -1 : 1))
    .map((x) => x.item);
}

/**
 * Upstream's mergeSortedSlice: walks both lists, taking the server-only item first only when
 * both items are on the server and it comes earlier there; otherwise the patch item.
 */
function mergeSorted(serverOnly: unknown[], patchItems: unknown[], serverOrder: readonly unknown[], key: string | undefined): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (i >= serverOnly.length) out.push(patchItems[j++]);
    else if (j >= patchItems.length) out.push(serverOnly[i++]);
    else {
      const li = indexIn(serverOrder, serverOnly[i], key);
      const ri = indexIn(serverOrder, patchItems[j], key);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(patchItems[j++]);
    }
  }
  return out;
}

export function normalizeElementOrder(
  patchItems: readonly unknown[],
  serverOnly: readonly unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  key: string | undefined,
): unknown[] {
  if (key !== undefined) {
    requireKeys(patchItems, key);
    requireKeys(patchOrder, key);
    requireKeys(serverOnly, key);
    requireKeys(serverOrder, key);
  }
  return mergeSorted(sortByOrder(serverOnly, serverOrder, key), sortByOrder(patchItems, patchOrder, key), serverOrder, key);
}

const isDirective = (item: unknown): item is JsonMap => isJsonMap(item) && Object.hasOwn(item, '$patch');

/** The patch list must list its (non-deleted) items in the same relative order as `$setElementOrder`. */
export function validateSetElementOrder(patchList: readonly unknown[], order: readonly unknown[], key: string | undefined): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (key !== undefined) {
    for (const item of patchList) if (!isJsonMap(item)) throw errBadArgType('map', item);
    items = patchList.filter((item) => !(isDirective(item) && item.$patch === 'delete'));
  }
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    const item = items[p];
    if (isDirective(item)) {
      p++;
      continue;
    }
    if (key !== undefined) {
      if (!isJsonMap(order[s])) throw errBadArgType('map', order[s]);
      if (!Object.hasOwn(item as JsonMap, key)) throw errNoMergeKey(item, key);
      if (!Object.hasOwn(order[s] as JsonMap, key)) throw errNoMergeKey(order[s], key);
    }
    if (identity(item, key) === identity(order[s], key)) p++;
    s++;
  }
  if (p < items.length && s >= order.length)
    throw new SmpError(`The order in patch list:\n${goFormat(patchList)}\n doesn't match $setElementOrder list:\n${goFormat(order)}\n`);
}
