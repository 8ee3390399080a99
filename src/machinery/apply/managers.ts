/**
 * @module The managedFields list as a table of managers (the decoded form of
 * `metadata.managedFields`), the ownership bookkeeping both apply and update share
 * (structured-merge-diff's `Updater.update`: other managers lose what an edit changed or
 * removed, or the edit conflicts), and encoding back in upstream's entry order.
 */
import type { FieldsV1, ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { FieldSet, fromFieldsV1, toFieldsV1, UNTRACKED } from './fieldset.ts';
import type { FieldPath } from './path.ts';
import type { Schema } from './schema.ts';
import { compare, type Comparison } from './typed.ts';

export type Operation = 'Apply' | 'Update';

export interface Manager {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
  /** The entry this was decoded from, reused verbatim while the set is unchanged. */
  original?: ManagedFieldsEntry;
}

/** A manager's identity, as upstream's BuildManagerIdentifier (appliers ignore apiVersion). */
export function managerKey(m: { manager: string; operation: Operation; apiVersion: string; subresource?: string }): string {
  return JSON.stringify([m.manager, m.operation, m.operation === 'Apply' ? '' : m.apiVersion, m.subresource ?? '']);
}

/** RFC 3339 with seconds precision, as metav1.Time marshals. */
export function formatTime(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Decodes entries; malformed ones (unknown operation or fieldsType) are dropped. */
export function decodeManagedFields(entries: readonly ManagedFieldsEntry[] | undefined): Map<string, Manager> {
  const out = new Map<string, Manager>();
  for (const e of entries ?? []) {
    if (e.operation !== 'Apply' && e.operation !== 'Update') continue;
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') continue;
    const m: Manager = {
      manager: e.manager ?? '',
      operation: e.operation,
      apiVersion: e.apiVersion ?? '',
      subresource: e.subresource || undefined,
      time: e.time,
      set: fromFieldsV1(e.fieldsV1 ?? {}),
      original: e,
    };
    const key = managerKey(m);
    const prev = out.get(key);
    if (prev) prev.set = prev.set.union(m.set);
    else out.set(key, m);
  }
  return out;
}

const seconds = (t: string | undefined): number => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);

/** Encodes managers, sorted as upstream's sortEncodedManagedFields. Empty sets are dropped. */
export function encodeManagedFields(managers: Map<string, Manager>): ManagedFieldsEntry[] {
  const entries: ManagedFieldsEntry[] = [];
  for (const m of managers.values()) {
    if (m.set.isEmpty()) continue;
    const o = m.original;
    if (o && o.apiVersion === m.apiVersion && fromFieldsV1(o.fieldsV1 ?? {}).equals(m.set)) {
      entries.push(o.time === m.time ? o : { ...o, time: m.time });
      continue;
    }
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = toFieldsV1(m.set) as FieldsV1;
    if (m.subresource) e.subresource = m.subresource;
    entries.push(e);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return entries.sort(
    (p, q) =>
      cmp(p.operation ?? '', q.operation ?? '') ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager ?? '', q.manager ?? '') ||
      cmp(p.apiVersion ?? '', q.apiVersion ?? '') ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
}

export interface Conflict {
  manager: Manager;
  path: FieldPath;
}

/**
 * Compares `before` and `after`; every manager except `self` loses the paths the edit
 * removed, and the paths it added or modified are returned as conflicts (or, with `force`,
 * also taken away from their owners). Mutates `managers`; drops managers left empty.
 */
export function settleOwnership(args: {
  managers: Map<string, Manager>;
  before: unknown;
  after: unknown;
  schema: Schema;
  self: string;
  force: boolean;
  ignored?: FieldSet;
}): { comparison: Comparison; conflicts: Conflict[] } {
  const raw = compare(args.before, args.after, args.schema);
  const clean = (s: FieldSet) => {
    const t = s.difference(UNTRACKED);
    return args.ignored ? t.withoutPrefixes(args.ignored) : t;
  };
  const comparison: Comparison = { added: clean(raw.added), modified: clean(raw.modified), removed: clean(raw.removed) };
  const changed = comparison.modified.union(comparison.added);
  const conflicts: Conflict[] = [];
  for (const [key, m] of args.managers) {
    if (key === args.self) continue;
    for (const path of m.set.intersection(changed).paths()) conflicts.push({ manager: m, path });
  }
  if (conflicts.length > 0 && !args.force) return { comparison, conflicts };
  for (const [key, m] of args.managers) {
    if (key === args.self) continue;
    m.set = m.set.difference(changed).difference(comparison.removed);
    if (m.set.isEmpty()) args.managers.delete(key);
  }
  return { comparison, conflicts };
}

/** Upstream's cap on Update entries; older ones merge into `ancient-changes` per apiVersion. */
export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES = 'ancient-changes';

export function capUpdateManagers(managers: Map<string, Manager>): void {
  const updaters = () => [...managers].filter(([, m]) => m.operation === 'Update');
  const list = updaters();
  if (list.length <= MAX_UPDATE_MANAGERS) return;
  list.sort(([ka, a], [kb, b]) => seconds(a.time) - seconds(b.time) || (ka < kb ? -1 : ka > kb ? 1 : 0));
  for (const [key, m] of list) {
    if (updaters().length <= MAX_UPDATE_MANAGERS) break;
    if (m.manager === ANCIENT_CHANGES && !m.subresource) continue;
    const bucketId = { manager: ANCIENT_CHANGES, operation: 'Update' as const, apiVersion: m.apiVersion };
    const bucketKey = managerKey(bucketId);
    const bucket = managers.get(bucketKey);
    managers.delete(key);
    if (bucket) {
      bucket.set = bucket.set.union(m.set);
      if (seconds(m.time) > seconds(bucket.time)) bucket.time = m.time;
    } else {
      managers.set(bucketKey, { ...bucketId, time: m.time, set: m.set });
    }
  }
}
