/**
 * @module Server-side apply (`PATCH` with `application/apply-patch+yaml`): merge an applied
 * configuration into the live object, remove what the applier stopped applying, settle field
 * ownership in `metadata.managedFields`, and refuse (409) to overwrite another manager's
 * fields unless forced. After structured-merge-diff's `Updater.Apply` and apiserver's
 * fieldmanager.
 */
import type { ManagedFieldsEntry, StatusCause } from 'kubernetes-types/meta/v1.js';
import { isPlainObject, withoutManagedFields, type KubeObject } from '../../api/object.ts';
import { StatusError } from '../status.ts';
import { fieldsOf, FieldSet } from './fieldset.ts';
import { deepEqual } from './items.ts';
import {
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  formatTime,
  managerKey,
  settleOwnership,
  type Conflict,
  type Manager,
} from './managers.ts';
import { allowedConflictsFromLastApplied, KUBECTL_MANAGER, syncLastApplied } from './last-applied.ts';
import { pathString } from './path.ts';
import { schemaFor, type GroupVersionKind } from './schema.ts';
import { merge, prune } from './typed.ts';

export interface ServerSideApplyArgs {
  /** The stored object, or undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The applied configuration, as decoded from the request body. */
  applied: KubeObject;
  manager: string;
  force: boolean;
  /** The request's group/version, e.g. `apps/v1`. */
  apiVersion: string;
  now: Date;
  gvk: GroupVersionKind;
  /** The name in the request URL; a `metadata.name` in the body must match it. */
  name?: string;
  subresource?: string;
  /** Paths the strategy resets (e.g. `.status` on the main resource): never owned. */
  ignored?: FieldSet;
}

export interface ServerSideApplyResult {
  /** The merged object, with `metadata.managedFields` set to `managedFields`. */
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/** The manager upstream credits with every field of an object that had no managedFields. */
export const BEFORE_FIRST_APPLY = 'before-first-apply';

function validate(args: ServerSideApplyArgs): void {
  const { applied, apiVersion, gvk } = args;
  if (!isPlainObject(applied)) throw StatusError.badRequest('error decoding YAML: the applied configuration must be an object');
  if (applied.metadata?.managedFields !== undefined && applied.metadata.managedFields !== null) {
    throw StatusError.badRequest('metadata.managedFields must be nil');
  }
  if (applied.apiVersion !== apiVersion) {
    throw StatusError.badRequest(
      `Incorrect version specified in apply patch. Specified patch version: ${applied.apiVersion ?? ''}, expected: ${apiVersion}`,
    );
  }
  if (applied.kind !== gvk.kind) {
    throw StatusError.badRequest(`Incorrect kind specified in apply patch. Specified patch kind: ${applied.kind ?? ''}, expected: ${gvk.kind}`);
  }
  const expected = args.name ?? args.live?.metadata?.name;
  const given = applied.metadata?.name;
  if (given !== undefined && expected !== undefined && given !== expected) {
    throw StatusError.badRequest(`the name of the object (${given}) does not match the name on the URL (${expected})`);
  }
}

function withManagedFields(obj: KubeObject, entries: ManagedFieldsEntry[]): KubeObject {
  const base = withoutManagedFields(obj);
  if (entries.length === 0) return base;
  return { ...base, metadata: { ...base.metadata, managedFields: entries } };
}

/** `"kubectl"`, `"kubectl" using apps/v1`, `"x" with subresource "status" using v1`. */
function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s = `${s} with subresource ${JSON.stringify(m.subresource)}`;
  return m.operation === 'Update' ? `${s} using ${m.apiVersion}` : s;
}

/** The 409 upstream returns (internal/conflict.go NewConflictError): no resource details. */
export function applyConflictError(conflicts: readonly Conflict[]): StatusError {
  const byManager = new Map<string, { manager: Manager; paths: string[] }>();
  for (const c of conflicts) {
    const key = managerKey(c.manager);
    const group = byManager.get(key) ?? { manager: c.manager, paths: [] };
    group.paths.push(pathString(c.path));
    byManager.set(key, group);
  }
  const groups = [...byManager.values()].sort((a, b) => (a.manager.manager < b.manager.manager ? -1 : a.manager.manager > b.manager.manager ? 1 : 0));
  const causes: StatusCause[] = groups.flatMap((g) =>
    g.paths.map((field) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(g.manager)}`, field })),
  );
  const message =
    causes.length === 1
      ? `Apply failed with 1 conflict: conflict with ${printManager(groups[0]!.manager)}: ${causes[0]!.field}`
      : `Apply failed with ${causes.length} conflicts: ${groups
          .flatMap((g) => [`conflicts with ${printManager(g.manager)}:`, ...g.paths.map((p) => `- ${p}`)])
          .join('\n')}`;
  return new StatusError(409, 'Conflict', message, { causes });
}

/**
 * Applies `applied` as `manager`. Throws a 400 for a malformed configuration and a 409
 * (reason Conflict, causes FieldManagerConflict) when it would change another manager's
 * fields and `force` is false.
 */
export function serverSideApply(args: ServerSideApplyArgs): ServerSideApplyResult {
  validate(args);
  const { gvk, manager, apiVersion, subresource } = args;
  const schema = schemaFor(gvk);
  let configSet = fieldsOf(args.applied, gvk, { strict: true });
  if (args.ignored) configSet = configSet.withoutPrefixes(args.ignored);
  const selfId = { manager, operation: 'Apply' as const, apiVersion, subresource };
  const selfKey = managerKey(selfId);
  const time = formatTime(args.now);
  const applied = withoutManagedFields(args.applied);

  if (!args.live) {
    const object = (merge(undefined, applied, schema) ?? {}) as KubeObject;
    const managers = new Map<string, Manager>();
    if (!configSet.isEmpty()) managers.set(selfKey, { ...selfId, time, set: configSet });
    const managedFields = encodeManagedFields(managers);
    return { object: withManagedFields(object, managedFields), managedFields };
  }

  const live = withoutManagedFields(args.live);
  const liveEntries = args.live.metadata?.managedFields ?? [];
  const managers = decodeManagedFields(liveEntries);
  if (liveEntries.length === 0) {
    // Upstream credits every existing field to one Update manager, so an apply cannot
    // silently take over fields it never knew about.
    const set = fieldsOf(live, gvk);
    const id = { manager: BEFORE_FIRST_APPLY, operation: 'Update' as const, apiVersion };
    if (!set.isEmpty()) managers.set(managerKey(id), { ...id, set });
  }

  const previous = managers.get(selfKey);
  managers.set(selfKey, { ...selfId, time: previous?.time, set: configSet, original: previous?.original });

  let merged = merge(live, applied, schema) as KubeObject;
  if (previous && !previous.set.isEmpty()) {
    let owned = new FieldSet();
    for (const m of managers.values()) owned = owned.union(m.set);
    merged = (prune(merged, previous.set, owned, schema) ?? {}) as KubeObject;
  }

  const settle = (force: boolean) =>
    settleOwnership({ managers, before: live, after: merged, schema, self: selfKey, force, ignored: args.ignored });
  const { conflicts } = settle(args.force);
  if (conflicts.length > 0 && !args.force) {
    // kubectl switching from client-side to server-side apply may take over what the
    // last-applied annotation says it set, as long as nobody changed it since.
    const allowed = manager === KUBECTL_MANAGER ? allowedConflictsFromLastApplied(args.live, gvk) : undefined;
    const remaining = allowed ? conflicts.filter((c) => !allowed.has(c.path)) : conflicts;
    if (remaining.length > 0) throw applyConflictError(remaining);
    settle(true);
  }

  const self = managers.get(selfKey)!;
  const changed = !deepEqual(live, merged);
  if (changed || !previous || !previous.set.equals(configSet)) self.time = time;
  if (self.set.isEmpty()) managers.delete(selfKey);
  capUpdateManagers(managers);

  const managedFields = encodeManagedFields(managers);
  let object = withManagedFields(merged, managedFields);
  if (manager === KUBECTL_MANAGER) object = syncLastApplied(object, args.applied);
  if (deepEqual(object, args.live)) return { object: args.live, managedFields: liveEntries };
  return { object, managedFields };
}
