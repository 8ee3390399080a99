/**
 * @module managedFields bookkeeping for ordinary writes (create, update, patch, subresource
 * writes): the writer's `Update` entry gains the fields it changed, other managers lose
 * them. Also the default manager name upstream derives from the User-Agent.
 */
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { withoutManagedFields, type KubeObject } from '../../api/object.ts';
import type { FieldSet } from './fieldset.ts';
import { deepEqual } from './items.ts';
import { capUpdateManagers, decodeManagedFields, encodeManagedFields, formatTime, managerKey, settleOwnership } from './managers.ts';
import { schemaFor, type GroupVersionKind } from './schema.ts';

export interface UpdateManagedFieldsArgs {
  /** The stored object before the write; undefined on create. */
  old: KubeObject | undefined;
  /** The object about to be stored (after defaulting and the strategy's resets). */
  updated: KubeObject;
  manager: string;
  operation: 'Update';
  /** The request's group/version, e.g. `apps/v1`. */
  apiVersion: string;
  now: Date;
  gvk: GroupVersionKind;
  subresource?: string;
  /** Paths the strategy resets for this endpoint (e.g. `.status` on the main resource). */
  ignored?: FieldSet;
}

/** `[{}]`: the documented way for a client to clear managedFields. */
function isReset(entries: readonly ManagedFieldsEntry[] | undefined): boolean {
  return entries?.length === 1 && Object.keys(entries[0] ?? {}).length === 0;
}

function strip(obj: KubeObject | undefined): KubeObject | undefined {
  return obj && withoutManagedFields(obj);
}

/**
 * The managedFields to store with `updated`. A client that sends managedFields different
 * from the stored ones replaces them (as upstream); `[{}]` clears them, and an empty list
 * means "unchanged".
 */
export function updateManagedFields(args: UpdateManagedFieldsArgs): ManagedFieldsEntry[] {
  const incoming = args.updated.metadata?.managedFields;
  if (isReset(incoming)) return [];
  const stored = args.old?.metadata?.managedFields;
  const base = incoming && incoming.length > 0 && !deepEqual(incoming, stored) ? incoming : stored;
  const managers = decodeManagedFields(base);

  const id = { manager: args.manager, operation: 'Update' as const, apiVersion: args.apiVersion, subresource: args.subresource };
  const key = managerKey(id);
  const previous = managers.get(key);
  // Like upstream's "current-operation": every existing manager, this one's old entry
  // included, gives up what the write changed or removed; the writer then owns the changes.
  const { comparison } = settleOwnership({
    managers,
    before: strip(args.old),
    after: strip(args.updated),
    schema: schemaFor(args.gvk),
    self: '',
    force: true,
    ignored: args.ignored,
  });
  const changed = comparison.modified.union(comparison.added);
  if (!changed.isEmpty()) {
    const kept = managers.get(key)?.set;
    managers.set(key, {
      ...id,
      time: formatTime(args.now),
      set: kept ? kept.union(changed) : changed,
      original: previous?.original,
    });
  }
  capUpdateManagers(managers);
  return encodeManagedFields(managers);
}

/** Longest manager name upstream accepts (validation.FieldManagerMaxLength). */
const FIELD_MANAGER_MAX_LENGTH = 128;
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/**
 * The manager name for a request without `fieldManager` (upstream prefixFromUserAgent):
 * the User-Agent up to the first `/`, printable characters only, at most 128 bytes.
 * `kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07` → `kubectl`.
 */
export function defaultManager(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0] ?? '';
  let out = '';
  let bytes = 0;
  for (const ch of prefix) {
    if (!printable.test(ch)) continue;
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += n;
  }
  return out;
}
