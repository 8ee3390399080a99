/**
 * @module Schema-aware operations on object values, after structured-merge-diff's `typed`
 * package: `merge` (an applied configuration into the live object), `compare` (which paths
 * an edit added, modified or removed) and `prune` (drop what an applier stopped applying and
 * nobody else owns).
 */
import { isPlainObject } from '../../api/object.ts';
import { FieldSet, type FieldNode } from './fieldset.ts';
import { childSchema, deepEqual, extend, indexItems, isEmptyObject, itemSchema, shapeOf } from './items.ts';
import { fieldElement, fieldName, type FieldPath, type PathElement } from './path.ts';
import type { Schema } from './schema.ts';

// ---- merge --------------------------------------------------------------------------------

/** Deep copy without null-valued object fields (a null in an applied config means "unset"). */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = withoutNulls(x);
    return out;
  }
  return v;
}

/**
 * Merges `config` into `live`: objects recursively, associative-list items by key (keeping
 * live-only items where they were), sets by union, atomic values replaced. Returns undefined
 * when the result is "unset". Neither input is modified.
 */
export function merge(live: unknown, config: unknown, schema: Schema | undefined): unknown {
  if (config === undefined) return live;
  if (config === null) return undefined;
  if (live === undefined || live === null) return withoutNulls(config);
  const sl = shapeOf(schema, live);
  const sc = shapeOf(schema, config);
  if (sl.kind === 'object' && sc.kind === 'object') {
    const l = live as Record<string, unknown>;
    const out: Record<string, unknown> = { ...l };
    for (const [k, c] of Object.entries(config as Record<string, unknown>)) {
      const v = merge(l[k], c, childSchema(sc.schema, k));
      if (v === undefined) delete out[k];
      else out[k] = v;
    }
    return out;
  }
  if (sl.kind === 'list' && sc.kind === 'list') {
    const li = indexItems(live as unknown[], sl.schema);
    const ci = indexItems(config as unknown[], sc.schema);
    if (!li || !ci) return withoutNulls(config);
    const items = itemSchema(sc.schema);
    const lKeys = [...li.keys()];
    const cKeys = [...ci.keys()];
    const out: unknown[] = [];
    const used = new Set<PathElement>();
    const take = (pe: PathElement) => {
      used.add(pe);
      const v = ci.has(pe) ? merge(li.get(pe), ci.get(pe), items) : li.get(pe);
      if (v !== undefined) out.push(v);
    };
    let i = 0;
    let j = 0;
    while (i < lKeys.length || j < cKeys.length) {
      const l = lKeys[i];
      const c = cKeys[j];
      if (l !== undefined && used.has(l)) i++;
      else if (l !== undefined && (c === undefined || l === c || !ci.has(l))) {
        take(l);
        i++;
        if (l === c) j++;
      } else if (c !== undefined) {
        // Both heads appear later in the other list: follow the configuration's order.
        take(c);
        j++;
      }
    }
    return out;
  }
  return withoutNulls(config);
}

// ---- compare ------------------------------------------------------------------------------

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/**
 * What changed from `lhs` to `rhs`. Leaves and list items are reported; an added or removed
 * dictionary, empty object or list is reported too. A non-empty struct is not (Go serialises
 * most structs even when zero, so upstream rarely sees one appear).
 */
export function compare(lhs: unknown, rhs: unknown, schema: Schema | undefined): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareValue(lhs, rhs, schema, [], out);
  return out;
}

function compareValue(lhs: unknown, rhs: unknown, schema: Schema | undefined, path: FieldPath, out: Comparison): void {
  const l = lhs === null ? undefined : lhs;
  const r = rhs === null ? undefined : rhs;
  if (l === undefined && r === undefined) return;
  const sl = l === undefined ? undefined : shapeOf(schema, l);
  const sr = r === undefined ? undefined : shapeOf(schema, r);
  const shape = sl ?? sr!;
  const leaf = sl?.kind === 'leaf' || sr?.kind === 'leaf' || (sl && sr && sl.kind !== sr.kind);
  const appeared = (set: FieldSet) => {
    if (path.length > 0) set.insert(path);
  };
  const onePresent = () => {
    if (l === undefined) appeared(out.added);
    else appeared(out.removed);
  };

  if (!leaf && shape.kind === 'object') {
    const lo = (l ?? {}) as Record<string, unknown>;
    const ro = (r ?? {}) as Record<string, unknown>;
    for (const k of new Set([...Object.keys(lo), ...Object.keys(ro)])) {
      compareValue(lo[k], ro[k], childSchema(shape.schema, k), extend(path, fieldElement(k)), out);
    }
    if ((l === undefined || r === undefined) && (shape.schema.kind === 'map' || isEmptyObject(l ?? r))) onePresent();
    return;
  }
  if (!leaf && shape.kind === 'list') {
    const li = l === undefined ? new Map<PathElement, unknown>() : indexItems(l as unknown[], shape.schema);
    const ri = r === undefined ? new Map<PathElement, unknown>() : indexItems(r as unknown[], shape.schema);
    if (li && ri) {
      const items = itemSchema(shape.schema);
      for (const pe of new Set([...li.keys(), ...ri.keys()])) {
        const p = extend(path, pe);
        compareValue(li.get(pe), ri.get(pe), items, p, out);
        if (!li.has(pe)) out.added.insert(p);
        else if (!ri.has(pe)) out.removed.insert(p);
      }
      if ((l === undefined || r === undefined) && !shape.schema.alwaysPresent) onePresent();
      return;
    }
  }
  if (l !== undefined && r !== undefined) {
    if (!deepEqual(l, r)) out.modified.insert(path);
  } else onePresent();
}

// ---- prune --------------------------------------------------------------------------------

/** Top-level fields that are never removed wholesale (only walked into). */
const KEEP_AT_ROOT = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Removes from `merged` what `last` (the applier's previous set) had and no manager now owns
 * (`owned`, the union of every manager's set including the applier's new one). Like upstream,
 * a struct field counts as owned while anything under it is; list items and map keys only
 * when owned themselves. A container emptied by the removal is removed too.
 */
export function prune(merged: unknown, last: FieldSet, owned: FieldSet, schema: Schema | undefined): unknown {
  return pruneValue(merged, schema, last.root, owned.root, true);
}

function pruneValue(value: unknown, schema: Schema | undefined, last: FieldNode, owned: FieldNode | undefined, atRoot: boolean): unknown {
  const shape = shapeOf(schema, value);
  if (shape.kind === 'object') {
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = { ...obj };
    let changed = false;
    for (const [pe, lc] of last.children) {
      const name = fieldName(pe);
      if (name === undefined || out[name] === undefined) continue;
      const oc = owned?.children.get(pe);
      const named = shape.schema.kind === 'struct';
      const isOwned = !!oc && (oc.member || (named && oc.children.size > 0));
      const keep = atRoot && KEEP_AT_ROOT.has(name);
      if ((lc.member || named) && !isOwned && !keep) {
        delete out[name];
        changed = true;
      } else if (lc.children.size > 0) {
        const v = pruneValue(out[name], childSchema(shape.schema, name), lc, oc, false);
        if (v !== out[name]) {
          changed = true;
          if (v === undefined) delete out[name];
          else out[name] = v;
        }
      }
    }
    if (!changed) return value;
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (shape.kind === 'list') {
    const list = value as unknown[];
    const index = indexItems(list, shape.schema);
    if (!index) return value;
    const out: unknown[] = [];
    let changed = false;
    for (const [pe, item] of index) {
      const lc = last.children.get(pe);
      if (!lc) {
        out.push(item);
        continue;
      }
      const oc = owned?.children.get(pe);
      if (lc.member && !oc?.member) {
        changed = true;
        continue;
      }
      const v = lc.children.size > 0 ? pruneValue(item, itemSchema(shape.schema), lc, oc, false) : item;
      if (v !== item) changed = true;
      if (v !== undefined) out.push(v);
    }
    if (!changed) return value;
    return out.length === 0 ? undefined : out;
  }
  return value;
}
